import Foundation
import MydiaAPI
@testable import MydiaPlayback
import MydiaTestSupport
import Testing

/// `mydia-tui play --events json` (hidden; the fault lab's view of a playback, PROTOCOL.md §13.79):
/// the real binary, real headless mpv, a real relay and server.
@Suite(.serialized) struct PlayEventsTests {
    @Test func eventsJSONPrintsEveryUpdateAndTheFiguresEachSecondAndNoSecret() async throws {
        let fixture = try await PlaybackFixture.start()
        defer { Task { await fixture.close() } }
        let id = try await fixture.longMovieID()
        let (p, out, err) = PlayCommandTests.process(
            ["play", id, "--start", "0", "--events", "json", "--mpv-arg=--vo=null", "--mpv-arg=--ao=null"],
            config: fixture.store.directory.path)
        try p.run()
        defer { if p.isRunning { p.terminate() } }
        let stdout = try await withTimeout(.seconds(90)) { out.fileHandleForReading.readDataToEndOfFile() }
        p.waitUntilExit()
        let text = String(decoding: stdout, as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0, "\(stderr)")

        let lines = text.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(!lines.isEmpty && lines.allSatisfy { $0?["event"] is String && $0?["t"] is Double }, "\(text.prefix(2000))")
        let events = lines.compactMap { $0 }
        func of(_ kind: String) -> [[String: Any]] { events.filter { $0["event"] as? String == kind } }

        // mpv plays the clip directly (the server puts direct play first for mpv's profile, §14.2.7).
        let started = try #require(of("started").first)
        let url = try #require(started["url"] as? String)
        #expect(started["strategy"] as? String == "direct")
        #expect(url.range(of: #"^http://127\.0\.0\.1:\d+/[0-9a-f]{32}/file/[^/]+$"#, options: .regularExpression) != nil, "\(url)")
        #expect(started["duration"] as? Double ?? 0 > 11)

        // Positions: at most about one a second, the last one at the end of the 12 s clip.
        let positions = of("position")
        let times = positions.compactMap { $0["t"] as? Double }
        #expect(positions.count >= 8 && positions.count <= 20, "\(positions.count) position lines")
        #expect(zip(times, times.dropFirst()).dropLast().allSatisfy { $1 - $0 >= 0.9 })
        #expect(positions.last?["position"] as? Double ?? 0 >= 11)

        // Figures every second: the proxy served the clip over some path, nothing was cut.
        let stats = of("stats")
        #expect(stats.count >= 8)
        let summary = try #require(events.last)
        #expect(summary["event"] as? String == "summary")
        #expect(summary["bytes_served"] as? Int ?? 0 > 1_000_000 && summary["truncated"] as? Int == 0)
        let received = (summary["relay_bytes_received"] as? Int ?? 0) + (summary["direct_bytes_received"] as? Int ?? 0)
        // Every byte served came over a path, except that mpv's opening requests (the first read,
        // the seek back after `moov`) are answered again from the direct-play prefetch in memory.
        let prefetched = FilePrefetch.windowBytes + FilePrefetch.tailBytes
        #expect(received + 2 * prefetched >= summary["bytes_served"] as? Int ?? .max)
        #expect(!of("connection").isEmpty && !of("path").isEmpty)
        #expect(of("progress_stored").first?["kind"] as? String == "start")
        #expect(of("progress_stored").last?["kind"] as? String == "stop")
        #expect(events.dropLast().last?["event"] as? String == "ended" && events.dropLast().last?["how"] as? String == "finished")

        // No token, relay or server address: only the local proxy's URL.
        for secret in try await fixture.secrets() {
            #expect(!text.contains(secret) && !stderr.contains(secret), "the lines show \(secret.prefix(6))…")
        }
        await fixture.close()  // at once, so no server outlives its test
    }
}
