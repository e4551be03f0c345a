import Foundation
import MydiaTestSupport
import Testing

/// The fast part of the fault lab (`scripts/faultlab/lab.py`, RELIABILITY.md) inside `make test`:
/// scenario 2 (direct reachable from the start), 5 (direct blackholed by nftables while requests
/// flow) and 4 (the direct path reset in the middle of a segment while real headless mpv plays a
/// 30 s clip: Range resume on the relay, no stall over 1 s, EOF) in network namespaces, with the
/// real relay (TLS, test CA via `--relay-ca`), server, client and mpv. The whole matrix runs with
/// `make faultlab`.
@Suite(.serialized) struct FaultLabTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Root, `ip netns` and nftables: what the lab needs (it skips itself otherwise, exit 77).
    static let available: Bool = {
        guard getuid() == 0 else { return false }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "command -v nft >/dev/null && command -v openssl >/dev/null && command -v mpv >/dev/null && ip netns add mydia-lab$$-check && ip netns del mydia-lab$$-check"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }()

    @Test(.enabled(if: available, "network namespaces, nftables or mpv are unavailable here (needs root, `ip netns`, nft, mpv)"))
    func directFromTheStartBlackholeFallbackAndAResetUnderPlaybackHoldTheirBounds() throws {
        let results = NSTemporaryDirectory() + "mydia-faultlab-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: results) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", Self.root.appendingPathComponent("scripts/faultlab/lab.py").path, "--scenarios", "2,5,4", "--quick",
                       "--bin", Programs.bin.path, "--json", results]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(text)")
        let parsed = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: results))) as? [[String: Any]]
        let scenarios = try #require(parsed, "no results from the lab: \(text)")
        #expect(scenarios.map { $0["scenario"] as? String } == ["2", "5", "4"])
        for s in scenarios {
            #expect(s["passed"] as? Bool == true, "scenario \(s["scenario"] ?? "?"): \(s["failures"] ?? "")")
            #expect((s["metrics"] as? [String: Any])?["failed_requests"] as? Int == 0)
        }
    }
}
