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
/// Without libFuzzer: a bounded, seeded mutation loop over the same targets, so `make fuzz` still
/// means something where `-sanitize=fuzzer` is unavailable.
/// Usage: `mydia-fuzz TARGET [RUNS] [SEED]`.
@main
struct SeededFuzzLoop {
    static func main() {
        let args = CommandLine.arguments.dropFirst()
        guard let name = args.first, FuzzTargets.names.contains(name) else {
            print("usage: mydia-fuzz \(FuzzTargets.names.joined(separator: "|")) [runs] [seed]")
            exit(2)
        }
        let runs = args.dropFirst().first.flatMap { Int($0) } ?? 100_000
        var rng = SplitMix64(seed: args.dropFirst(2).first.flatMap { UInt64($0) } ?? 1)
        var input: [UInt8] = []
        for i in 0..<runs {
            if i % 64 == 0 { input = (0..<Int(rng.next() % 300)).map { _ in UInt8(truncatingIfNeeded: rng.next()) } }
            mutate(&input, &rng)
            FuzzTargets.run(name, input)
        }
        print("fuzz \(name): \(runs) inputs, no crash")
    }

    static func mutate(_ input: inout [UInt8], _ rng: inout SplitMix64) {
        switch rng.next() % 4 {
        case 0 where !input.isEmpty: input[Int(rng.next() % UInt64(input.count))] ^= UInt8(1 << (rng.next() % 8))
        case 1: input.insert(UInt8(truncatingIfNeeded: rng.next()), at: input.isEmpty ? 0 : Int(rng.next() % UInt64(input.count)))
        case 2 where !input.isEmpty: input.remove(at: Int(rng.next() % UInt64(input.count)))
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
