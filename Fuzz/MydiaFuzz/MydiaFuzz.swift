import Foundation
#if canImport(Glibc)
import Glibc
#endif
#if FUZZING
// Built by `make fuzz` with `-sanitize=fuzzer,address -D FUZZING`. SwiftPM points the program's
// entry at this module's `main`, so instead of libFuzzer's own `main` we hand control to
// `LLVMFuzzerRunDriver` (found with dlsym for a C-correct call) with the same arguments.
// The target is picked by MYDIA_FUZZ_TARGET.
private let target: String = {
    guard let p = getenv("MYDIA_FUZZ_TARGET") else { return "frame" }
    return String(cString: p)
}()

private typealias Callback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
private typealias RunDriver = @convention(c) (
    UnsafeMutablePointer<CInt>, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>, Callback
) -> CInt

@main
struct LibFuzzerEntry {
    static func main() {
        guard FuzzTargets.names.contains(target) else {
            print("MYDIA_FUZZ_TARGET must be one of \(FuzzTargets.names.joined(separator: ", "))")
            exit(2)
        }
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "LLVMFuzzerRunDriver") else {
            print("libFuzzer is not linked in (build with -sanitize=fuzzer)")
            exit(2)
        }
        let run = unsafeBitCast(symbol, to: RunDriver.self)
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(run(&argc, &argv) { data, size in
            FuzzTargets.run(target, Array(UnsafeBufferPointer(start: data, count: size)))
            return 0
        })
    }
}
#else
/// Without libFuzzer: a bounded, seeded mutation loop over the same targets, so `make fuzz-loop`
/// still means something where `-sanitize=fuzzer` is unavailable. Inputs start from the committed
/// corpus when a directory is given (the JSON targets need mostly-valid JSON to get anywhere), else
/// from random bytes, and are mutated a few bytes at a time.
/// Usage: `mydia-fuzz TARGET [RUNS] [SEED] [CORPUS_DIR]`; RUNS 0 replays the corpus unmutated.
@main
struct SeededFuzzLoop {
    static func main() {
        let args = Array(CommandLine.arguments.dropFirst())
        guard let name = args.first, FuzzTargets.names.contains(name) else {
            print("usage: mydia-fuzz \(FuzzTargets.names.joined(separator: "|")) [runs] [seed] [corpus-dir]")
            exit(2)
        }
        let runs = args.count > 1 ? Int(args[1]) ?? 100_000 : 100_000
        var rng = SplitMix64(seed: args.count > 2 ? UInt64(args[2]) ?? 1 : 1)
        let corpus = args.count > 3 ? loadCorpus(args[3]) : []
        if runs == 0 {
            // Replay: every corpus file once, unmutated (a crash file from `make fuzz` reproduces here
            // with the full precondition message of a debug build).
            for input in corpus { FuzzTargets.run(name, input) }
            print("fuzz \(name): replayed \(corpus.count) inputs, no crash")
            return
        }
        var input: [UInt8] = []
        let start = ContinuousClock.now
        for i in 0..<runs {
            if i % 64 == 0 {
                input = corpus.isEmpty
                    ? (0..<Int(rng.next() % 300)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                    : corpus[Int(rng.next() % UInt64(corpus.count))]
            }
            mutate(&input, &rng)
            FuzzTargets.run(name, input)
        }
        let elapsed = ContinuousClock.now - start
        print("fuzz \(name): \(runs) inputs, no crash (\(corpus.count) seeds, \(elapsed))")
    }

    static func loadCorpus(_ dir: String) -> [[UInt8]] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [] }
        return names.sorted().compactMap { FileManager.default.contents(atPath: dir + "/" + $0).map { Array($0) } }
    }

    /// Bytes that move JSON parsers into interesting states.
    static let tokens: [[UInt8]] = ["\"", "{", "}", "[", "]", ",", ":", "null", "true", "-1", "1e999", "4294967296",
                                    "\\u0000", "\\ud800", "\u{7f}", "\u{85}", "\u{1b}["].map { Array($0.utf8) }

    static func mutate(_ input: inout [UInt8], _ rng: inout SplitMix64) {
        let position = { (rng: inout SplitMix64, count: Int) in count == 0 ? 0 : Int(rng.next() % UInt64(count)) }
        switch rng.next() % 6 {
        case 0 where !input.isEmpty: input[position(&rng, input.count)] ^= UInt8(1 << (rng.next() % 8))
        case 1: input.insert(UInt8(truncatingIfNeeded: rng.next()), at: position(&rng, input.count))
        case 2 where !input.isEmpty: input.remove(at: position(&rng, input.count))
        case 3: input.insert(contentsOf: tokens[Int(rng.next() % UInt64(tokens.count))], at: position(&rng, input.count))
        case 4 where input.count > 1:
            let cut = position(&rng, input.count)
            input.removeSubrange(cut..<min(input.count, cut + Int(rng.next() % 8) + 1))
        default: input.append(contentsOf: [0x01, 0x01, 0x00])
        }
    }
}

struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
#endif
