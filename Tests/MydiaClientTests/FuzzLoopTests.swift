import Foundation
import MydiaTestSupport
import Testing

/// The short fuzz runs of `make test` (issue 8): the seeded mutation loop of `mydia-fuzz` (the
/// debug build, no libFuzzer) over every target, starting from the committed corpus. A target that
/// traps — an invariant of PROTOCOL.md §13.77 broken, or a crash — fails the test. The long,
/// coverage-guided campaigns are `make fuzz` (RELIABILITY.md).
@Suite struct FuzzLoopTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/corpus")

    @Test(arguments: [("frame", 20_000), ("handshake", 1_000), ("relay", 20_000), ("tunnel", 20_000), ("media", 20_000), ("graphql", 20_000), ("proxyroute", 20_000), ("dns", 20_000), ("playlist", 20_000)])
    func seededLoopFindsNoCrash(target: String, runs: Int) throws {
        let p = Process()
        p.executableURL = Programs.bin.appendingPathComponent("mydia-fuzz")
        p.arguments = [target, String(runs), "20261122", Self.corpus.appendingPathComponent(target).path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(text.suffix(2000))")
        #expect(text.contains("fuzz \(target): \(runs) inputs, no crash"), "\(text.suffix(500))")
        #expect(!text.contains("(0 seeds"), "the committed corpus for \(target) was not found")
    }
}
