import Foundation
import Logging
import MydiaAPI
import MydiaClient
import MydiaConnection
import MydiaServer
@testable import MydiaPlayback
import MydiaTestSupport
import Synchronization
import Testing

/// The media side of stock Mydia (PROTOCOL.md §14.2.6, §14.2.7) with real headless mpv, a real
/// relay and mydia-server: direct play first, a forced HLS strategy, 503 + `Retry-After` waited
/// out below the player, a forgotten session replaced mid-play, and subtitle tracks in mpv.
@Suite(.serialized) struct StockMediaEndToEndTests {
    /// The real upstream (ConnectionManager + token) behind a recorder that can also misbehave:
    /// answer the first `busySegments` HLS segment requests 503 + `Retry-After: 1`, or answer the
    /// file route itself (`fileAnswer`: a status, or 200 with bytes no player can open).
    final class Recorder: MediaUpstream {
        enum FileAnswer: Sendable { case status(Int), garbage }

        let base: any MediaUpstream
        let fileAnswer: FileAnswer?
        let busyLeft: Mutex<Int>
        let seen = Mutex<[PathRequest]>([])
        let answered503 = Mutex(0)

        init(_ fixture: PlaybackFixture, busySegments: Int = 0, fileAnswer: FileAnswer? = nil) {
            base = ConnectionUpstream(manager: fixture.session.manager, api: fixture.session.api)
            busyLeft = Mutex(busySegments)
            self.fileAnswer = fileAnswer
        }

        var requests: [PathRequest] { seen.withLock { $0 } }

        func send(_ request: PathRequest) async throws -> PathResponse {
            seen.withLock { $0.append(request) }
            if request.path.hasPrefix("/api/v1/stream/file/"), let fileAnswer {
                switch fileAnswer {
                case .status(let status):
                    return PathResponse(status: status, headers: ["content-type": "application/json"], body: Self.body(Array("{}".utf8)))
                case .garbage:
                    let bytes = [UInt8](repeating: 0x5a, count: 64 * 1024)
                    return PathResponse(status: 200, headers: ["content-type": "video/x-matroska", "content-length": "\(bytes.count)"],
                                        body: Self.body(bytes))
                }
            }
            if request.path.hasPrefix("/api/v1/hls/"), request.path.contains("/seg"),
               busyLeft.withLock({ left in defer { left -= 1 }; return left > 0 }) {
                answered503.withLock { $0 += 1 }
                return PathResponse(status: 503, headers: ["retry-after": "1", "content-type": "application/json"],
                                    body: Self.body(Array(#"{"error":"segment_not_ready"}"#.utf8)))
            }
            return try await base.send(request)
        }

        func currentPath() async -> PathKind? { await base.currentPath() }

        static func body(_ bytes: [UInt8]) -> AsyncThrowingStream<[UInt8], any Error> {
            AsyncThrowingStream { $0.yield(bytes); $0.finish() }
        }
    }

    static let fileURL = #"^http://127\.0\.0\.1:\d+/[0-9a-f]{32}/file/[^/]+$"#
    static let hlsURL = #"^http://127\.0\.0\.1:\d+/[0-9a-f]{32}/hls/[^/]+/index\.m3u8$"#

    static func matches(_ url: String, _ pattern: String) -> Bool { url.range(of: pattern, options: .regularExpression) != nil }

    /// The HLS session folders on the server (one per session it created and has not ended).
    static func hlsFolders(_ fixture: PlaybackFixture) -> [String] {
        let root = fixture.stack.host.configuration.stateDirectory + "/hls"
        return ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter { !$0.hasPrefix(".") }
    }

    @Test func mpvPlaysTheFileDirectlyFromTheStoredPositionToItsEndByRangeAndNoSessionIsStarted() async throws {
        let fixture = try await PlaybackFixture.start()
        defer { Task { await fixture.close() } }
        let id = try await fixture.longMovieID()
        _ = try await fixture.session.api.updateMovieProgress(movieId: id, positionSeconds: 6, durationSeconds: 12)
        let recorder = Recorder(fixture)
        var options = try PlaybackEndToEndTests.mpvOptions(interval: .seconds(1), strategy: nil)
        options.startPosition = nil  // resume where the server says
        let playback = try await Playback.start(api: fixture.session.api, upstream: recorder, itemID: id, options: options,
                                                logger: fixture.log.logger())
        let updates = UpdateLog(playback)
        let started = try #require(await playback.current)
        #expect(started.strategy == .directPlay && started.sessionId == nil && started.startPosition == 6)
        #expect(Self.matches(started.url, Self.fileURL), "\(started.url)")
        #expect(Self.hlsFolders(fixture).isEmpty)
        let end = try await withTimeout(.seconds(60)) { await playback.waitUntilEnded() }
        await updates.finished()
        #expect(end == .finished)

        // Only the file route, always with the direct-play query; mpv read it by Range.
        let requests = recorder.requests
        #expect(!requests.isEmpty)
        #expect(requests.allSatisfy { $0.path.hasPrefix("/api/v1/stream/file/") && $0.path.hasSuffix("?strategy=DIRECT_PLAY") },
                "\(requests.map(\.path))")
        #expect(requests.filter { $0.headers["range"] != nil }.count >= 2)
        #expect(fixture.log.all.contains { $0.contains("proxy") && $0.contains("what=file") && $0.contains("range=bytes=") })
        #expect(await playback.proxyStatistics == nil)  // closed at the end
        #expect(Self.hlsFolders(fixture).isEmpty)
        // Progress from the resume point to the end; the movie counts as watched.
        let positions = updates.all.compactMap { if case .position(let s, _) = $0 { s } else { nil } }
        #expect((positions.first ?? 0) >= 5.5 && (positions.last ?? 0) > 11)
        let stored = updates.stored
        #expect(stored.first?.kind == .start && stored.first?.position == 6 && stored.last?.kind == .stop)
        #expect(try await fixture.session.api.movie(id: id)?.progress?.watched == true)
        await fixture.close()  // at once, so no server outlives its test
    }

    /// §14.2.6 holds on both paths: with only an unreachable direct URL the client stays on the
    /// relay, and direct play goes through the tunnel by Range all the same.
    @Test func directPlayWorksOverTheRelayTunnelToo() async throws {
        let fixture = try await PlaybackFixture.start(directURL: "https://127.0.0.1:9")
        defer { Task { await fixture.close() } }
        try await fixture.waitFor(.relay)
        let id = try await fixture.longMovieID()
        let playback = try await Playback.start(api: fixture.session.api, manager: fixture.session.manager, itemID: id,
                                                options: try PlaybackEndToEndTests.mpvOptions(interval: .seconds(1), strategy: nil),
                                                logger: fixture.log.logger())
        let started = try #require(await playback.current)
        #expect(started.strategy == .directPlay && started.sessionId == nil)
        let end = try await withTimeout(.seconds(60)) { await playback.waitUntilEnded() }
        #expect(end == .finished)
        #expect(await fixture.session.manager.currentState == .relay)
        #expect(fixture.log.all.contains { $0.contains("proxy") && $0.contains("what=file") && $0.contains("range=bytes=") })
        #expect(Self.hlsFolders(fixture).isEmpty)
        await fixture.close()
    }

    @Test func aForcedHLSCopyStillStreamsAndTheSessionEnds() async throws {
        let fixture = try await PlaybackFixture.start()
        defer { Task { await fixture.close() } }
        let recorder = Recorder(fixture)
        let playback = try await Playback.start(api: fixture.session.api, upstream: recorder, itemID: try await fixture.longMovieID(),
                                                options: try PlaybackEndToEndTests.mpvOptions(strategy: .hlsCopy),
                                                logger: fixture.log.logger())
        let started = try #require(await playback.current)
        #expect(started.strategy == .hlsCopy && started.sessionId != nil)
        #expect(Self.matches(started.url, Self.hlsURL), "\(started.url)")
        #expect(Self.hlsFolders(fixture).count == 1)  // what direct play must not leave
        let end = try await withTimeout(.seconds(60)) { await playback.waitUntilEnded() }
        #expect(end == .finished)
        #expect(recorder.requests.allSatisfy { $0.path.hasPrefix("/api/v1/hls/") })
        #expect(recorder.requests.contains { $0.path.hasSuffix("/seg00002.ts") })
        // endStreamingSession on the way out: the server forgot the session.
        let playlist = try await ConnectionUpstream(manager: fixture.session.manager, api: fixture.session.api)
            .send(PathRequest(method: "GET", path: "/api/v1/hls/\(try #require(started.sessionId))/index.m3u8"))
        #expect(playlist.status == 404)
        await fixture.close()  // at once, so no server outlives its test
    }

    @Test func segmentsAnswering503AreWaitedForBelowThePlayer() async throws {
        let fixture = try await PlaybackFixture.start()
        defer { Task { await fixture.close() } }
        let recorder = Recorder(fixture, busySegments: 2)
        let playback = try await Playback.start(api: fixture.session.api, upstream: recorder, itemID: try await fixture.longMovieID(),
                                                options: try PlaybackEndToEndTests.mpvOptions(strategy: .hlsCopy),
                                                logger: fixture.log.logger())
        let updates = UpdateLog(playback)
        let end = try await withTimeout(.seconds(60)) { await playback.waitUntilEnded() }
        await updates.finished()
        #expect(end == .finished)
        #expect(recorder.answered503.withLock { $0 } == 2)
        // The first segment was asked for three times upstream, and mpv got it once, whole.
        #expect(recorder.requests.filter { $0.path.hasSuffix("/seg00000.ts") }.count >= 3)
        #expect(!fixture.log.all.contains { $0.contains("proxy") && $0.contains("status=503") })
        let positions = updates.all.compactMap { if case .position(let s, _) = $0 { s } else { nil } }
        #expect((positions.last ?? 0) > 11)  // nothing skipped: the whole clip played
        await fixture.close()  // at once, so no server outlives its test
    }

    @Test func aSessionTheServerForgetsMidPlayIsReplacedAtThePositionAndPlayGoesOn() async throws {
        let fixture = try await PlaybackFixture.start()
        defer { Task { await fixture.close() } }
        // mpv reads about a second ahead, so the last segment is asked for after the session ended.
        let options = try PlaybackEndToEndTests.mpvOptions(strategy: .hlsCopy, extra: ["--cache=no", "--demuxer-readahead-secs=1"])
        let playback = try await Playback.start(session: fixture.session, itemID: try await fixture.longMovieID(), options: options,
                                                logger: fixture.log.logger())
        let updates = UpdateLog(playback)
        let deadline = ContinuousClock.now + .seconds(30)
        while !updates.all.contains(where: { if case .position(let s, _) = $0 { s > 1 } else { false } }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let old = try #require(await playback.current?.sessionId)
        #expect(try await fixture.session.api.endStreamingSession(sessionId: old))  // "HLS session not found" from now on
        let end = try await withTimeout(.seconds(60)) { await playback.waitUntilEnded() }
        await updates.finished()
        #expect(end == .finished)
        #expect(fixture.log.all.contains { $0.contains("continuing on a new one") })
        let positions = updates.all.compactMap { if case .position(let s, _) = $0 { s } else { nil } }
        #expect((positions.last ?? 0) > 11)
        await fixture.close()  // at once, so no server outlives its test
    }

    @Test func aFileRouteRefusalAtTheStartFallsBackToHLSOnce() async throws {
        let fixture = try await PlaybackFixture.start()
        defer { Task { await fixture.close() } }
        let recorder = Recorder(fixture, fileAnswer: .status(415))
        let playback = try await Playback.start(api: fixture.session.api, upstream: recorder, itemID: try await fixture.longMovieID(),
                                                options: try PlaybackEndToEndTests.mpvOptions(strategy: nil), logger: fixture.log.logger())
        let started = try #require(await playback.current)
        #expect(started.strategy == .hlsCopy && Self.matches(started.url, Self.hlsURL))
        // The server put direct play first; the file route was asked and refused.
        #expect(recorder.requests.first?.path.hasPrefix("/api/v1/stream/file/") == true)
        #expect(fixture.log.all.contains { $0.contains("direct play refused") && $0.contains("HTTP 415") })
        #expect(try await withTimeout(.seconds(60)) { await playback.waitUntilEnded() } == .finished)

        // Forced, the same refusal is one sentence and nothing starts.
        var forced = try PlaybackEndToEndTests.mpvOptions(strategy: .directPlay)
        forced.player = .none
        await #expect(throws: Playback.Error.self) {
            _ = try await Playback.start(api: fixture.session.api, upstream: recorder, itemID: try await fixture.longMovieID(),
                                         options: forced, logger: fixture.log.logger())
        }
        await fixture.close()  // at once, so no server outlives its test
    }

    @Test func aFileMpvCannotOpenFallsBackToHLSAtTheSamePosition() async throws {
        let fixture = try await PlaybackFixture.start()
        defer { Task { await fixture.close() } }
        let recorder = Recorder(fixture, fileAnswer: .garbage)
        var options = try PlaybackEndToEndTests.mpvOptions(strategy: nil)
        options.startPosition = 4
        let playback = try await Playback.start(api: fixture.session.api, upstream: recorder, itemID: try await fixture.longMovieID(),
                                                options: options, logger: fixture.log.logger())
        let updates = UpdateLog(playback)
        #expect(await playback.current?.strategy == .directPlay)
        let end = try await withTimeout(.seconds(60)) { await playback.waitUntilEnded() }
        await updates.finished()
        #expect(end == .finished)
        let started = updates.all.compactMap { if case .started(let s) = $0 { s } else { nil } }
        #expect(started.map(\.strategy) == [.directPlay, .hlsCopy], "\(started)")
        #expect(started.last?.startPosition == 4 && Self.matches(started.last?.url ?? "", Self.hlsURL))
        let positions = updates.all.compactMap { if case .position(let s, _) = $0 { s } else { nil } }
        #expect((positions.first ?? 0) >= 3.5 && (positions.last ?? 0) > 11)
        await fixture.close()  // at once, so no server outlives its test
    }
}

/// Subtitle tracks in mpv (PROTOCOL.md §14.2.6): the text tracks of the file arrive over the proxy's
/// subtitle route, with their language; the preferred one is selected; image-based ones never come.
@Suite(.serialized) struct SubtitleEndToEndTests {
    /// The subtitle library of `Resources/make-subtitle-library.sh` (real ffmpeg), made once.
    static func library() throws -> String {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Resources/make-subtitle-library.sh")
        let dir = NSTemporaryDirectory() + "mydia-playback-subtitle-library"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = [script.path, dir]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
        return dir
    }

    /// mpv's subtitle tracks once `count` external ones are there (nil after 30 s).
    static func subtitleTracks(_ playback: Playback, external count: Int) async throws -> [[String: JSONValue]]? {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if case .array(let all)? = try? await playback.player?.command([.string("get_property"), .string("track-list")]) {
                let subs = all.compactMap { if case .object(let o) = $0, o["type"] == .string("sub") { o } else { nil } }
                if subs.filter({ $0["external"] == .bool(true) }).count >= count { return subs }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    func play(_ strategy: PlaybackStrategy?, expectExternal count: Int) async throws -> (strategy: PlaybackStrategy, subs: [[String: JSONValue]]) {
        let fixture = try await PlaybackFixture.start(library: try Self.library())
        defer { Task { await fixture.close() } }
        let movie = try #require(try await fixture.session.api.movies(first: 10).nodes.first { $0.title == "Subtitled" })
        var options = try PlaybackEndToEndTests.mpvOptions(strategy: strategy, extra: ["--pause"])  // a 2 s clip: look while paused
        options.subtitles = .load(preferred: SubtitleLanguage("en"))
        let playback = try await Playback.start(session: fixture.session, itemID: movie.id, options: options, logger: fixture.log.logger())
        let used = try #require(await playback.current?.strategy)
        let subs = try #require(try await Self.subtitleTracks(playback, external: count), "\(fixture.log.all.suffix(20))")
        // Every track went over the proxy's subtitle route; no URL in the IPC names the server.
        let adds = await playback.playerCommands.filter { $0.contains("sub-add") }
        #expect(adds.count == count && adds.allSatisfy { $0.contains("http://127.0.0.1:") && $0.contains("/subtitles/") }, "\(adds)")
        try await playback.setPaused(false)
        #expect(try await withTimeout(.seconds(60)) { await playback.waitUntilEnded() } == .finished)
        await fixture.close()  // at once, so no server outlives its test
        return (used, subs)
    }

    static func summary(_ subs: [[String: JSONValue]]) -> [String] {
        subs.filter { $0["external"] == .bool(true) }.map { "\($0["lang"]?.stringValue ?? "-")|\($0["title"]?.stringValue ?? "-")" }.sorted()
    }

    static func selected(_ subs: [[String: JSONValue]]) -> [String] {
        subs.filter { $0["selected"] == .bool(true) }.map { "\($0["lang"]?.stringValue ?? "-")|\($0["title"]?.stringValue ?? "-")|\($0["external"] == .bool(true))" }
    }

    @Test func inDirectPlayTheSidecarsAreAddedAndThePlainEnglishOneIsSelected() async throws {
        let (strategy, subs) = try await play(nil, expectExternal: 3)
        #expect(strategy == .directPlay)
        #expect(Self.summary(subs) == ["eng|English", "eng|English (Forced)", "eng|English (SDH)"], "\(subs)")
        #expect(Self.selected(subs) == ["eng|English|true"], "\(subs)")
        // The file's own streams are mpv's: the German text one and the English PGS one, not added again.
        #expect(subs.filter { $0["external"] != .bool(true) }.count == 2)
    }

    @Test func overHLSEveryTextTrackIsAddedAndThePlainEnglishOneIsSelected() async throws {
        let (strategy, subs) = try await play(.hlsCopy, expectExternal: 4)
        #expect(strategy == .hlsCopy)
        #expect(Self.summary(subs) == ["eng|English", "eng|English (Forced)", "eng|English (SDH)", "ger|Deutsch"], "\(subs)")
        #expect(Self.selected(subs) == ["eng|English|true"], "\(subs)")
    }
}
