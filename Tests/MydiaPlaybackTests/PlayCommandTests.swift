import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MydiaAPI
import MydiaClient
import MydiaTestSupport
import Testing

/// `mydia-tui play` as a person or script runs it: the real binary against a real relay and server.
@Suite(.serialized) struct PlayCommandTests {
    static func process(_ args: [String], config: String, path: String? = nil) -> (Process, Pipe, Pipe) {
        Programs.tuiProcess(args, config: config, environment: path.map { ["PATH": $0] } ?? [:])
    }

    @Test func playerNonePrintsOnlyTheLocalURLServesItAndStopsOnSIGTERM() async throws {
        let fixture = try await PlaybackFixture.start()
        defer { Task { await fixture.close() } }
        let config = fixture.store.directory.path
        let id = try await fixture.longMovieID()
        let (p, out, err) = Self.process(["play", id, "--player", "none"], config: config)
        try p.run()
        defer { if p.isRunning { p.terminate() } }
        let reader = out.fileHandleForReading
        let firstLine = try await withTimeout(.seconds(60)) { Programs.readFirstLine(reader) }
        let url = firstLine.trimmingCharacters(in: .newlines)
        #expect(url.range(of: #"^http://127\.0\.0\.1:\d+/[0-9a-f]{32}/hls/[^/]+/index\.m3u8$"#, options: .regularExpression) != nil, "\(firstLine)")
        let (body, response) = try await URLSession.shared.data(from: try #require(URL(string: url)))
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: body, as: UTF8.self).hasPrefix("#EXTM3U"))
        p.terminate()  // SIGTERM
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let rest = String(decoding: reader.readDataToEndOfFile(), as: UTF8.self)
        #expect(rest.isEmpty && firstLine.filter { $0 == "\n" }.count == 1)  // the URL is the only stdout line
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        for token in try await fixture.tokens() { #expect(!stderr.contains(token) && !firstLine.contains(token)) }
        // The session was ended on the way out: the proxy is gone.
        await #expect(throws: (any Error).self) { _ = try await URLSession.shared.data(from: URL(string: url)!) }
        await fixture.close()  // at once, so no server outlives its test
    }

    /// `--strategy direct` serves the file itself through the proxy: byte ranges pass through (206).
    @Test func aForcedDirectPlayServesTheFileByRange() async throws {
        let fixture = try await PlaybackFixture.start()
        defer { Task { await fixture.close() } }
        let id = try await fixture.longMovieID()
        let size = try #require(try await fixture.session.api.movie(id: id)?.files.first?.size)
        let (p, out, _) = Self.process(["play", id, "--player", "none", "--strategy", "direct"], config: fixture.store.directory.path)
        try p.run()
        defer { if p.isRunning { p.terminate() } }
        let reader = out.fileHandleForReading
        let line = try await withTimeout(.seconds(60)) { Programs.readFirstLine(reader).trimmingCharacters(in: .newlines) }
        #expect(line.range(of: #"^http://127\.0\.0\.1:\d+/[0-9a-f]{32}/file/[^/]+$"#, options: .regularExpression) != nil, "\(line)")
        var request = URLRequest(url: try #require(URL(string: line)))
        request.setValue("bytes=100-199", forHTTPHeaderField: "Range")
        let (body, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        #expect(http.statusCode == 206 && body.count == 100)
        #expect(http.value(forHTTPHeaderField: "Content-Range") == "bytes 100-199/\(Int(size))")
        p.terminate()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        await fixture.close()  // at once, so no server outlives its test
    }

    @Test func aSubtitleLanguageThatIsNoCodeIsRefusedInOneSentence() async throws {
        for (args, message) in [(["--sub", "english"], "--sub must be a language code"),
                                (["--sub", "en", "--no-subs"], "--sub and --no-subs cannot be used together"),
                                (["--strategy", "remux"], "strategy")] {
            let (p, _, err) = Self.process(["play", "m1"] + args, config: NSTemporaryDirectory() + "mydia-play-\(UUID().uuidString)")
            try p.run()
            p.waitUntilExit()
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(p.terminationStatus == 64 && stderr.contains(message), "\(args): \(stderr)")
        }
    }

    @Test func aMissingMpvIsOneSentenceAndExitCodeSix() async throws {
        let fixture = try await PlaybackFixture.start()
        defer { Task { await fixture.close() } }
        let (p, out, err) = Self.process(["play", try await fixture.longMovieID()], config: fixture.store.directory.path, path: "/nonexistent")
        try p.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 6)
        #expect(stdout.isEmpty)
        #expect(stderr.contains("mpv") && stderr.filter { $0 == "\n" }.count == 1, "\(stderr)")
        await fixture.close()  // at once, so no server outlives its test
    }

    /// The `started` line's start position of `play ID --player none --events json ARGS`, then SIGTERM.
    static func startPosition(_ args: [String], id: String, config: String) async throws -> Double? {
        let (p, out, _) = Self.process(["play", id, "--player", "none", "--events", "json"] + args, config: config)
        try p.run()
        defer { if p.isRunning { p.terminate() } }
        let reader = out.fileHandleForReading
        let start = try await withTimeout(.seconds(60)) { () -> Double? in
            var buffer = Data()
            while true {
                for line in buffer.split(separator: UInt8(ascii: "\n")) {
                    if let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any], object["event"] as? String == "started" {
                        return object["start_position"] as? Double
                    }
                }
                let chunk = reader.availableData
                if chunk.isEmpty { return nil }
                buffer += chunk
            }
        }
        p.terminate()
        p.waitUntilExit()
        return start
    }

    /// `--resume auto|never|ask` and `[player] resume` decide where a partly watched movie starts;
    /// `ask` without a terminal to ask on resumes; `--start` wins over all of them.
    @Test func resumeFollowsTheFlagThenTheConfigAndAskWithoutATerminalResumes() async throws {
        let fixture = try await PlaybackFixture.start()
        defer { Task { await fixture.close() } }
        let config = fixture.store.directory.path
        let id = try await fixture.longMovieID()
        _ = try await fixture.session.api.updateMovieProgress(movieId: id, positionSeconds: 6, durationSeconds: 12)
        #expect(try await Self.startPosition([], id: id, config: config) == 6)
        #expect(try await Self.startPosition(["--resume", "never"], id: id, config: config) == 0)
        #expect(try await Self.startPosition(["--resume", "ask"], id: id, config: config) == 6)  // stdin is not a terminal
        #expect(try await Self.startPosition(["--start", "2"], id: id, config: config) == 2)
        try "[player]\nresume = \"never\"\n".write(toFile: config + "/config.toml", atomically: true, encoding: .utf8)
        #expect(try await Self.startPosition([], id: id, config: config) == 0)
        #expect(try await Self.startPosition(["--resume", "auto"], id: id, config: config) == 6)
        await fixture.close()  // at once, so no server outlives its test
    }
}
