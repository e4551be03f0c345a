import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import MydiaAPI
import MydiaClient
import MydiaConnection
@testable import MydiaPlayback
import MydiaTestSupport
import Testing

/// Real mpv (headless), real relay and server, the real ConnectionManager: the clip plays to its
/// end through the proxy over each path, survives the direct path dying under it, and mpv never
/// sees a token or a server address.
@Suite(.serialized) struct PlaybackEndToEndTests {
    static let headless = ["--vo=null", "--ao=null"]

    /// Headless mpv from 0; HLS (`HLS_COPY`) unless another strategy is asked for (nil: the server's preference).
    static func mpvOptions(interval: Duration = .seconds(10), strategy: PlaybackStrategy? = .hlsCopy,
                           extra: [String] = []) throws -> PlaybackOptions {
        PlaybackOptions(player: .mpv(.init(installation: try MPVInstallation.forTests, extraArguments: Self.headless + extra)),
                        startPosition: 0, strategy: strategy, progressInterval: interval)
    }

    func mpvOptions(interval: Duration = .seconds(10)) throws -> PlaybackOptions { try Self.mpvOptions(interval: interval) }

    /// Reads /proc/PID/cmdline and /proc/PID/environ (NUL-separated) as text.
    static func processText(_ pid: Int32) -> String {
        ["cmdline", "environ"].map { name in
            (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/\(name)"))).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }.joined(separator: "\n")
    }

    @Test func mpvPlaysToTheEndOverTheRelayAndNeverSeesATokenOrServerAddress() async throws {
        // The announced direct URL leads nowhere, so everything flows through the relay.
        let fixture = try await PlaybackFixture.start(directURL: "https://127.0.0.1:\(try TCPForwarder.freePort())")
        defer { Task { await fixture.close() } }
        try await fixture.waitFor(.relay)
        let id = try await fixture.longMovieID()
        let playback = try await Playback.start(session: fixture.session, itemID: id, options: try mpvOptions(interval: .seconds(2)),
                                                logger: fixture.log.logger())
        let updates = UpdateLog(playback)
        let pid = try #require(await playback.playerProcessIdentifier)
        let processText = Self.processText(pid)
        #expect(processText.contains("--input-ipc-server="))
        let end = try await withTimeout(.seconds(60)) { await playback.waitUntilEnded() }
        await updates.finished()
        #expect(end == .finished)
        #expect(await fixture.session.manager.snapshot().relay.bytesReceived > 1_000_000)

        let url = try #require(updates.all.compactMap { if case .started(let s) = $0 { s.url } else { nil } }.first)
        #expect(url.range(of: #"^http://127\.0\.0\.1:\d+/[0-9a-f]{32}/hls/[^/]+/index\.m3u8$"#, options: .regularExpression) != nil)
        let ipc = await playback.playerCommands
        #expect(ipc.contains { $0.contains("loadfile") && $0.contains(url) })
        #expect(!processText.contains(url))  // the URL went over IPC only
        // mpv gets neither a token nor a server address; our own log never holds a token.
        let secrets = try await fixture.secrets()
        let log = fixture.log.all.joined(separator: "\n")
        #expect(log.contains("mpv ipc →") && log.contains("loadfile"))
        for secret in secrets {
            #expect(!processText.contains(secret), "mpv's argv or environment holds \(secret.prefix(6))…")
            #expect(!ipc.joined().contains(secret))
        }
        for token in try await fixture.tokens() { #expect(!log.contains(token)) }
        // Progress: start first, stop last, positions never backwards, the clip counted as watched.
        let stored = updates.stored
        #expect(stored.first?.kind == .start && stored.last?.kind == .stop && stored.count >= 3)
        #expect(zip(stored, stored.dropFirst()).allSatisfy { $0.position <= $1.position })
        let movie = try #require(try await fixture.session.api.movie(id: id))
        #expect(movie.progress?.watched == true)
        await fixture.close()  // at once, so no server outlives its test
    }

    @Test func mpvPlaysToTheEndOverDirect() async throws {
        let fixture = try await PlaybackFixture.start()
        defer { Task { await fixture.close() } }
        try await fixture.waitFor(.direct)
        let before = await fixture.session.manager.snapshot()
        let playback = try await Playback.start(session: fixture.session, itemID: try await fixture.longMovieID(),
                                                options: try mpvOptions(), logger: fixture.log.logger())
        let end = try await withTimeout(.seconds(60)) { await playback.waitUntilEnded() }
        #expect(end == .finished)
        let after = await fixture.session.manager.snapshot()
        #expect(after.direct.bytesReceived - before.direct.bytesReceived > 1_000_000)
        #expect(after.relay.bytesReceived - before.relay.bytesReceived < 100_000)
        await fixture.close()  // at once, so no server outlives its test
    }

    @Test func theDirectPathDyingMidSegmentIsInvisibleToMpvAndDirectIsUsedAgainWhenItReturns() async throws {
        let directPort = try TCPForwarder.freePort()
        let forwarder = try TCPForwarder(target: directPort)
        defer { forwarder.cut() }
        let fixture = try await PlaybackFixture.start(directURL: "https://127.0.0.1:\(forwarder.port)", directPort: directPort)
        defer { Task { await fixture.close() } }
        try await fixture.waitFor(.direct)
        forwarder.throttle(150_000)  // ~3 s per segment: the cut lands inside one
        let start = forwarder.bytesToClient
        let playback = try await Playback.start(session: fixture.session, itemID: try await fixture.longMovieID(),
                                                options: try mpvOptions(), logger: fixture.log.logger())
        let updates = UpdateLog(playback)
        let deadline = ContinuousClock.now + .seconds(30)
        while forwarder.bytesToClient - start < 200_000, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        forwarder.cut()
        let end = try await withTimeout(.seconds(90)) { await playback.waitUntilEnded() }
        await updates.finished()
        #expect(end == .finished, "mpv saw the cut: \(end)")
        #expect(fixture.log.all.contains { $0.contains("body resumed on the relay by Range") })
        #expect(await fixture.session.manager.snapshot().relay.bytesReceived > 100_000)

        // Direct comes back: after the next probe, new segment requests go direct again.
        try forwarder.restore()
        forwarder.throttle(nil)
        await fixture.session.manager.probeNow()
        try await fixture.waitFor(.direct, within: .seconds(60))
        let replay = try await Playback.start(session: fixture.session, itemID: try await fixture.longMovieID(),
                                              options: PlaybackOptions(player: .none), logger: fixture.log.logger())
        let url = try #require(await replay.current?.url)
        let before = forwarder.bytesToClient
        let (_, playlistResponse) = try await URLSession.shared.data(from: URL(string: url)!)
        #expect((playlistResponse as? HTTPURLResponse)?.statusCode == 200)
        let segment = URL(string: url)!.deletingLastPathComponent().appendingPathComponent("seg00001.ts")
        let (bytes, segmentResponse) = try await URLSession.shared.data(from: segment)
        #expect((segmentResponse as? HTTPURLResponse)?.statusCode == 200 && bytes.count > 100_000)
        #expect(forwarder.bytesToClient - before >= bytes.count)
        await replay.stop()
        await fixture.close()  // at once, so no server outlives its test
    }

    @Test func progressIsStoppedWhenMpvIsKilledAndNeverMovesBackwards() async throws {
        let fixture = try await PlaybackFixture.start()
        defer { Task { await fixture.close() } }
        let id = try await fixture.longMovieID()
        var options = try mpvOptions(interval: .seconds(1))
        options.startPosition = nil
        let playback = try await Playback.start(session: fixture.session, itemID: id, options: options, logger: fixture.log.logger())
        let updates = UpdateLog(playback)
        let deadline = ContinuousClock.now + .seconds(30)
        while !updates.stored.contains(where: { $0.kind == .periodic && $0.position > 2 }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let pid = try #require(await playback.playerProcessIdentifier)
        kill(pid, SIGKILL)
        let end = try await withTimeout(.seconds(30)) { await playback.waitUntilEnded() }
        await updates.finished()
        guard case .playerExited = end else {
            Issue.record("expected playerExited, got \(end)")
            await fixture.close()
            return
        }
        let stored = updates.stored
        #expect(stored.map(\.kind).first == .start)
        #expect(stored.last?.kind == .stop)
        #expect(stored.contains { $0.kind == .periodic })
        #expect(zip(stored, stored.dropFirst()).allSatisfy { $0.position <= $1.position })
        let last = try #require(stored.last)
        #expect(last.position > 2 && last.position < 12)
        let movie = try #require(try await fixture.session.api.movie(id: id))
        #expect(movie.progress?.positionSeconds == last.wholePosition)  // whole seconds on the wire (§14.1)
        #expect(movie.progress?.watched == false)
        await fixture.close()  // at once, so no server outlives its test
    }

    @Test func aSessionDroppedWhilePausedIsRenewedAtThePausedPosition() async throws {
        let fixture = try await PlaybackFixture.start()
        defer { Task { await fixture.close() } }
        var options = try mpvOptions()
        options.pausedKeepAlive = .milliseconds(500)
        // The playback's timers run on a manual clock: the keep-alive comes when the test moves it.
        let clock = ManualClock()
        let playback = try await Playback.start(session: fixture.session, itemID: try await fixture.longMovieID(),
                                                options: options, logger: fixture.log.logger(), clock: clock)
        let updates = UpdateLog(playback)
        func waitFor(_ what: String, _ done: ([PlaybackUpdate]) -> Bool) async throws {
            let deadline = ContinuousClock.now + .seconds(30)
            while !done(updates.all) {
                guard ContinuousClock.now < deadline else { throw CocoaError(.executableLoad, userInfo: ["what": what]) }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        try await waitFor("playing") { $0.contains { if case .position(let s, _) = $0 { s > 1.5 } else { false } } }
        try await playback.setPaused(true)
        try await waitFor("paused") { $0.contains(.paused(true)) }
        let old = try #require(await playback.current)
        #expect(try await fixture.session.api.endStreamingSession(sessionId: try #require(old.sessionId)))
        // Paused at clock offset 0; the report timer looks every 0.5 s: the keep-alive is due at its first look.
        #expect(await clock.waitForSleeper(until: .milliseconds(500)))
        clock.advance(to: .milliseconds(500))
        try await waitFor("renewed") { $0.contains { if case .started(let s) = $0 { s.sessionId != old.sessionId } else { false } } }
        let renewed = try #require(await playback.current)
        #expect(renewed.startPosition > 1 && renewed.url.hasPrefix(old.url.components(separatedBy: "/hls/")[0]))
        try await playback.setPaused(false)
        let end = try await withTimeout(.seconds(60)) { await playback.waitUntilEnded() }
        #expect(end == .finished)
        await fixture.close()  // at once, so no server outlives its test
    }
}

/// Backpressure through the real stack (PROTOCOL.md §13.34): a player that reads 1 MB of a large
/// file and then stalls holds the server back through the proxy, the ConnectionManager and the
/// pinned direct connection. Before bodies were pulled, the transport's stream buffered the whole
/// file in the client while the player read nothing.
@Suite(.serialized) struct ProxyBackpressureTests {
    /// A library with one ~83 MB raw-video movie, made once per machine.
    static func bigFileLibrary() throws -> String {
        let dir = NSTemporaryDirectory() + "mydia-backpressure-tests-library"
        let file = dir + "/Movies/Raw Pattern (2021).mkv"
        if FileManager.default.fileExists(atPath: file) { return dir }
        try FileManager.default.createDirectory(atPath: dir + "/Movies", withIntermediateDirectories: true)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                       "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=24:duration=10",
                       "-c:v", "rawvideo", "-pix_fmt", "yuv420p", file + ".partial.mkv"]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
        try FileManager.default.moveItem(atPath: file + ".partial.mkv", toPath: file)
        return dir
    }

    @Test func theRelayRestartingMidFileIsInvisibleToThePlayer() async throws {
        // Relay only. The player takes 1 MiB, the relay restarts (every socket drops), and the
        // rest of the file arrives on the next relay session by Range, byte for byte (§13.38).
        let library = try Self.bigFileLibrary()
        let fixture = try await PlaybackFixture.start(directURL: "https://127.0.0.1:\(try TCPForwarder.freePort())", library: library)
        defer { Task { await fixture.close() } }
        try await fixture.waitFor(.relay)
        let movie = try #require(try await fixture.session.api.movies(first: 10).nodes.first { $0.title == "Raw Pattern" })
        let file = try #require(movie.files.first)
        let original = try Data(contentsOf: URL(fileURLWithPath: library + "/Movies/Raw Pattern (2021).mkv"))
        #expect(Double(original.count) == file.size)
        let proxy = try await MediaProxy.start(upstream: ConnectionUpstream(manager: fixture.session.manager, api: fixture.session.api),
                                               logger: fixture.log.logger())
        defer { Task { await proxy.stop() } }
        let player = try MediaProxyTests.RawClient(port: proxy.port, receiveBuffer: 64 * 1024)
        player.send("GET /\(proxy.prefix)/file/\(file.id) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        let first = await MediaProxyTests.offPool { player.read(upTo: 1 << 20) }
        #expect(first.count == 1 << 20)
        try await fixture.stack.restartRelay()
        let rest = await MediaProxyTests.offPool { player.read(upTo: 200 << 20) }
        let all = first + rest
        let split = try #require((0..<min(all.count, 4096)).first { Array(all[$0..<min(all.count, $0 + 4)]) == Array("\r\n\r\n".utf8) })
        #expect(String(decoding: all[..<split], as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        let body = all[(split + 4)...]
        #expect(body.count == original.count, "the player got \(body.count) of \(original.count) bytes")
        let identical = body.count == original.count && body.elementsEqual(original)
        #expect(identical, "the body differs from the file")
        #expect(fixture.log.all.contains { $0.contains("body resumed on the relay by Range") })
        await proxy.stop()
        await fixture.close()
    }

    @Test func aStalledPlayerHoldsTheServerBackOnTheDirectPath() async throws {
        let directPort = try TCPForwarder.freePort()
        let forwarder = try TCPForwarder(target: directPort, socketBuffer: 64 * 1024)
        defer { forwarder.cut() }
        let fixture = try await PlaybackFixture.start(directURL: "https://127.0.0.1:\(forwarder.port)", directPort: directPort,
                                                      library: try Self.bigFileLibrary())
        defer { Task { await fixture.close() } }
        try await fixture.waitFor(.direct)
        let movie = try #require(try await fixture.session.api.movies(first: 10).nodes.first { $0.title == "Raw Pattern" })
        let file = try #require(movie.files.first)
        #expect((file.size ?? 0) > 64_000_000)
        let proxy = try await MediaProxy.start(upstream: ConnectionUpstream(manager: fixture.session.manager, api: fixture.session.api),
                                               logger: fixture.log.logger())
        defer { Task { await proxy.stop() } }
        let before = forwarder.bytesToClient
        let player = try MediaProxyTests.RawClient(port: proxy.port, receiveBuffer: 64 * 1024)
        player.send("GET /\(proxy.prefix)/file/\(file.id) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let first = await MediaProxyTests.offPool { player.read(upTo: 1 << 20).count }
        #expect(first == 1 << 20)
        // The player stalls. What crosses the direct path stops at the buffers on the way: the
        // client's socket from the forwarder and its proxy socket to the player (kernel-tuned, a few
        // MB each), the transport's 128 KiB, a chunk or two; the forwarder's and the player's own
        // sockets are kept at 64 KiB: 17–22 MB measured. With the old push-based body stream all
        // 83 MB came across.
        try await Task.sleep(for: .seconds(2))
        let pulled = forwarder.bytesToClient - before
        try await Task.sleep(for: .seconds(1))
        let later = forwarder.bytesToClient - before
        #expect(pulled < 40 << 20, "the client pulled \(pulled) bytes for a player that read 1 MiB")
        #expect(later - pulled < 1 << 20, "the client kept pulling while the player stalled (\(pulled) → \(later))")
        await proxy.stop()
        await fixture.close()  // at once, so no server outlives its test
    }
}
