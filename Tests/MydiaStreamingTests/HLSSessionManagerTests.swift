import Foundation
import Synchronization
import Testing

@testable import MydiaStreaming

#if canImport(Glibc)
import Glibc
#endif

/// A clock reading that tests move forward by hand.
final class ManualNow: Sendable {
    private let offset = Mutex<Duration>(.zero)
    private let base = ContinuousClock.now
    func advance(by duration: Duration) { offset.withLock { $0 += duration } }
    var now: ContinuousClock.Instant { base + offset.withLock { $0 } }
}

@Suite struct HLSSessionManagerTests {
    func manager(
        _ label: String, now: ManualNow? = nil, configure: (inout HLSSessionManager.Configuration) -> Void = { _ in }
    ) throws -> HLSSessionManager {
        let scratch = TestMedia.freshFolder(label)
        var configuration = HLSSessionManager.Configuration(root: scratch)
        configuration.transcodePreset = "ultrafast"
        configure(&configuration)
        if configuration.root != scratch { try? FileManager.default.removeItem(at: scratch) }
        if let now {
            return HLSSessionManager(configuration: configuration, tools: try TestMedia.tools(), now: { now.now })
        }
        return HLSSessionManager(configuration: configuration, tools: try TestMedia.tools())
    }

    func sessionDirectory(_ manager: HLSSessionManager, _ id: String) async -> URL {
        await manager.configuration.root.appendingPathComponent(id)
    }

    @Test func hlsCopyServesAFullPlaylistWhoseSegmentsAreAllFetchable() async throws {
        let manager = try manager("copy")
        let info = try await manager.start(fileURL: TestMedia.clip, strategy: .hlsCopy, startPosition: 5)
        #expect(info.strategy == .hlsCopy)
        #expect(info.startPosition == 5)
        #expect(abs(info.duration - 12) < 0.1)
        #expect(info.sessionId.count == 32 && info.sessionId.allSatisfy { $0.isHexDigit })

        let playlist = await manager.response(sessionId: info.sessionId, path: "index.m3u8")
        #expect(playlist.status == 200)
        #expect(playlist.headers["content-type"] == "application/vnd.apple.mpegurl")
        let text = try await playlist.text
        #expect(text.contains("#EXT-X-ENDLIST"))
        #expect(text.contains("#EXT-X-PLAYLIST-TYPE:VOD"))
        #expect(!text.contains("token"))
        let entries = playlistEntries(text)
        #expect(entries.count >= 2)
        #expect(abs(entries.map(\.duration).reduce(0, +) - info.duration) < 0.2)
        for entry in entries {
            #expect(!entry.uri.hasPrefix("/") && !entry.uri.contains("://") && !entry.uri.contains("?"))
            #expect(entry.duration <= 6.01)
            let segment = await manager.response(sessionId: info.sessionId, path: entry.uri, method: .head)
            #expect(segment.status == 200)
            #expect(segment.headers["content-type"] == "video/mp2t")
            #expect(Int(segment.headers["content-length"] ?? "") ?? 0 > 0)
        }
        await TestMedia.cleanUp(manager)
    }

    @Test func playlistsAreNeverRanged() async throws {
        let manager = try manager("playlist-range")
        let info = try await manager.start(fileURL: TestMedia.clip, strategy: .hlsCopy)
        let whole = try await manager.response(sessionId: info.sessionId, path: "index.m3u8").text
        let ranged = await manager.response(
            sessionId: info.sessionId, path: "index.m3u8", headers: ["range": "bytes=0-9"])
        #expect(ranged.status == 200)
        #expect(ranged.headers["content-range"] == nil)
        #expect(ranged.headers["etag"] == nil)
        #expect(try await ranged.text == whole)
        await TestMedia.cleanUp(manager)
    }

    @Test func segmentsHonourRanges() async throws {
        let manager = try manager("segment-range")
        let info = try await manager.start(fileURL: TestMedia.clip, strategy: .hlsCopy)
        let whole = await manager.response(sessionId: info.sessionId, path: "seg00000.ts")
        let etag = try #require(whole.headers["etag"])
        let bytes = try await whole.collect().bytes
        let ranged = await manager.response(
            sessionId: info.sessionId, path: "seg00000.ts", headers: ["Range": "bytes=188-375", "If-Range": etag])
        #expect(ranged.status == 206)
        #expect(ranged.headers["content-range"] == "bytes 188-375/\(bytes.count)")
        #expect(try await ranged.collect().bytes == Array(bytes[188...375]))
        await TestMedia.cleanUp(manager)
    }

    @Test func uncopyableCodecsFallBackToTranscode() async throws {
        let manager = try manager("fallback")
        let info = try await manager.start(fileURL: TestMedia.uncopyableClip, strategy: .hlsCopy)
        #expect(info.strategy == .transcode)
        let segment = await manager.response(sessionId: info.sessionId, path: "seg00000.ts")
        #expect(segment.status == 200)
        await TestMedia.cleanUp(manager)
    }

    @Test func transcodeListsEverySegmentAndAWaitingRequestGetsItsSegment() async throws {
        // -readrate 4: the 12 s clip takes about 3 s, so the last segment is surely not there yet.
        let manager = try manager("transcode") { $0.transcodeReadRate = 4 }
        let info = try await manager.start(fileURL: TestMedia.clip, strategy: .transcode)
        #expect(info.strategy == .transcode)
        let text = try await manager.response(sessionId: info.sessionId, path: "index.m3u8").text
        #expect(text.contains("#EXT-X-ENDLIST"))
        let entries = playlistEntries(text)
        #expect(entries.map(\.uri) == ["seg00000.ts", "seg00001.ts", "seg00002.ts"])
        #expect(abs(entries.map(\.duration).reduce(0, +) - info.duration) < 0.01)

        #expect(await manager.sessions[info.sessionId]?.ready[2] == nil)

        // The first segment is served as soon as it is finished, while ffmpeg is still working.
        let first = await manager.response(sessionId: info.sessionId, path: "seg00000.ts")
        #expect(first.status == 200)
        #expect(await manager.sessions[info.sessionId]?.producer?.exitCode == nil)
        #expect(await manager.sessions[info.sessionId]?.ready[2] == nil)
        #expect(try await first.collect().bytes.first == 0x47)

        // Whether the last segment still had to be waited for depends on machine load; either way the
        // request must end in the segment, never in a 404 for a listed-but-unmade segment.
        let missingBefore = await manager.sessions[info.sessionId]?.ready[2] == nil
        let segment = await manager.response(sessionId: info.sessionId, path: "seg00002.ts")
        #expect(segment.status == 200, "missing before the request: \(missingBefore)")
        let bytes = try await segment.collect().bytes
        #expect(bytes.count > 0 && bytes.count % 188 == 0 && bytes[0] == 0x47)
        #expect(segment.headers["content-length"] == "\(bytes.count)")
        await TestMedia.cleanUp(manager)
    }

    @Test func sessionsServeFullPlaylistsAndReportTheHeightCeilingTheyApplied() async throws {
        let manager = try manager("max-height")
        // A copy cannot scale: the ceiling is not applied and says so.
        let copy = try await manager.start(fileURL: TestMedia.clip, strategy: .hlsCopy, maxHeight: 120)
        #expect(copy.strategy == .hlsCopy && copy.playlistMode == .full && copy.maxHeight == nil)
        // A ceiling above the source's 240 lines changes nothing.
        let tall = try await manager.start(fileURL: TestMedia.clip, strategy: .transcode, maxHeight: 1080)
        #expect(tall.playlistMode == .full && tall.maxHeight == nil)
        // An odd ceiling under it is applied, evened, and the segments have that height.
        let scaled = try await manager.start(fileURL: TestMedia.clip, strategy: .transcode, maxHeight: 121)
        #expect(scaled.strategy == .transcode && scaled.playlistMode == .full && scaled.maxHeight == 120)
        let segment = await manager.response(sessionId: scaled.sessionId, path: "seg00000.ts")
        #expect(segment.status == 200)
        let file = TestMedia.freshFolder("max-height-probe").appendingPathComponent("seg.ts")
        try Data(try await segment.collect().bytes).write(to: file)
        let probe = Process()
        probe.executableURL = try TestMedia.tools().ffprobe
        probe.arguments = ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", file.path]
        let pipe = Pipe()
        probe.standardOutput = pipe
        try probe.run()
        probe.waitUntilExit()
        let size = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        // MPEG-TS lists the stream under its program too: every line must say 160x120.
        let lines = Set(size.split(whereSeparator: \.isNewline).map(String.init))
        #expect(lines == ["160,120"])
        try? FileManager.default.removeItem(at: file.deletingLastPathComponent())
        await TestMedia.cleanUp(manager)
    }

    @Test func segmentNotReadyInTimeIs503WithRetryAfter() async throws {
        let manager = try manager("transcode-503") {
            $0.transcodeReadRate = 1
            $0.segmentWaitTimeout = .milliseconds(300)
        }
        let info = try await manager.start(fileURL: TestMedia.clip, strategy: .transcode)
        let started = ContinuousClock.now
        let response = await manager.response(sessionId: info.sessionId, path: "seg00002.ts")
        #expect(response.status == 503)
        #expect(response.headers["retry-after"] == "1")
        #expect(ContinuousClock.now - started >= .milliseconds(300))
        #expect(try await response.text.contains("segment_not_ready"))
        // A segment the playlist does not list is not waited for.
        #expect(await manager.response(sessionId: info.sessionId, path: "seg00009.ts").status == 404)
        await TestMedia.cleanUp(manager)
    }

    @Test func endStopsFFmpegAndRemovesTheFolder() async throws {
        let manager = try manager("end") { $0.transcodeReadRate = 1 }
        setenv("MYDIA_STREAMING_TEST_SECRET", "do-not-leak", 1)
        let info = try await manager.start(fileURL: TestMedia.clip, strategy: .transcode)
        let folder = await sessionDirectory(manager, info.sessionId)
        let pid = try #require(await manager.sessions[info.sessionId]?.producer?.processIdentifier)
        #expect(kill(pid, 0) == 0)
        // ffmpeg inherits none of the server's environment.
        let environ = try String(decoding: Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ")), as: UTF8.self)
        #expect(!environ.contains("do-not-leak"))
        #expect(environ.split(separator: "\0").allSatisfy { $0.hasPrefix("PATH=") || $0.hasPrefix("LC_ALL=") })
        #expect(FileManager.default.fileExists(atPath: folder.path))

        #expect(await manager.end(sessionId: info.sessionId))
        #expect(kill(pid, 0) == -1 && errno == ESRCH)
        #expect(!FileManager.default.fileExists(atPath: folder.path))
        #expect(await manager.response(sessionId: info.sessionId, path: "index.m3u8").status == 404)
        #expect(await manager.end(sessionId: info.sessionId) == false)
        await TestMedia.cleanUp(manager)
    }

    @Test func idleSessionsAreReapedAndRequestsKeepThemAlive() async throws {
        let clock = ManualNow()
        let manager = try manager("idle", now: clock)
        let info = try await manager.start(fileURL: TestMedia.clip, strategy: .hlsCopy)
        let folder = await sessionDirectory(manager, info.sessionId)

        clock.advance(by: .seconds(400))
        #expect(await manager.reapIdleSessions() == 0)
        _ = await manager.response(sessionId: info.sessionId, path: "index.m3u8")
        clock.advance(by: .seconds(400))
        #expect(await manager.reapIdleSessions() == 0)
        clock.advance(by: .seconds(201))
        #expect(await manager.reapIdleSessions() == 1)
        #expect(await manager.sessionCount == 0)
        #expect(!FileManager.default.fileExists(atPath: folder.path))
        await TestMedia.cleanUp(manager)
    }

    @Test func runReapsIdleSessionsInTheBackground() async throws {
        let manager = try manager("run") {
            $0.idleTimeout = .milliseconds(200)
            $0.reapInterval = .milliseconds(50)
        }
        _ = try await manager.start(fileURL: TestMedia.clip, strategy: .hlsCopy)
        #expect(await manager.sessionCount == 1)
        let reaper = Task { await manager.run() }
        #expect(await eventually { await manager.sessionCount == 0 })
        reaper.cancel()
        await reaper.value
        await TestMedia.cleanUp(manager)
    }

    @Test func traversalAndUnknownSessionsAreRejected() async throws {
        let manager = try manager("traversal")
        let info = try await manager.start(fileURL: TestMedia.clip, strategy: .hlsCopy)
        for path in ["../ffmpeg.log", "%2e%2e/ffmpeg.log", "/etc/passwd", "..%2fffmpeg.log", "media/../../x"] {
            let response = await manager.response(sessionId: info.sessionId, path: path)
            #expect(response.status == 400, "\(path)")
        }
        #expect(await manager.response(sessionId: info.sessionId, path: "nope.ts").status == 404)
        #expect(await manager.response(sessionId: info.sessionId, path: "deep/nope.m3u8").status == 404)
        let unknown = await manager.response(sessionId: "0123456789abcdef0123456789abcdef", path: "index.m3u8")
        #expect(unknown.status == 404)
        // Stock's words, which a client answers with a new session at its position (PROTOCOL.md §14.2.6).
        #expect(try await unknown.text == #"{"error":"not_found","message":"HLS session not found"}"#)
        #expect(await manager.response(sessionId: "..", path: "index.m3u8").status == 404)
        await TestMedia.cleanUp(manager)
    }

    @Test func missingSourceAndMissingFFmpegGiveClearErrors() async throws {
        let manager = try manager("missing")
        await #expect(throws: HLSSessionManager.Error.fileNotFound) {
            try await manager.start(fileURL: URL(fileURLWithPath: "/nonexistent.mp4"), strategy: .hlsCopy)
        }
        #expect(throws: FFmpegTools.Error.notFound("ffmpeg")) {
            try FFmpegTools.locate(searchPath: "/nonexistent-bin")
        }
        #expect(FFmpegTools.Error.notFound("ffmpeg").description.contains("install ffmpeg"))
        await TestMedia.cleanUp(manager)
    }

    @Test func notAMediaFileIsUnreadable() async throws {
        let manager = try manager("garbage")
        let garbage = TestMedia.freshFolder("garbage").appendingPathComponent("junk.mkv")
        try Data("not a video".utf8).write(to: garbage)
        await #expect(throws: HLSSessionManager.Error.unreadableMedia) {
            try await manager.start(fileURL: garbage, strategy: .hlsCopy)
        }
        #expect(await manager.sessionCount == 0)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: await manager.configuration.root.path)
        #expect(leftovers.isEmpty)
        try? FileManager.default.removeItem(at: garbage.deletingLastPathComponent())
        await TestMedia.cleanUp(manager)
    }

    @Test func sessionLimitIsEnforced() async throws {
        let manager = try manager("limit") { $0.maxSessions = 1 }
        _ = try await manager.start(fileURL: TestMedia.clip, strategy: .hlsCopy)
        await #expect(throws: HLSSessionManager.Error.tooManySessions) {
            try await manager.start(fileURL: TestMedia.clip, strategy: .hlsCopy)
        }
        await TestMedia.cleanUp(manager)
    }

    @Test func unwritableRootIsAClearError() async throws {
        let manager = try manager("unwritable") { $0.root = URL(fileURLWithPath: "/proc/mydia-no-such-root") }
        await #expect(throws: HLSSessionManager.Error.storageUnavailable("/proc/mydia-no-such-root")) {
            try await manager.start(fileURL: TestMedia.clip, strategy: .hlsCopy)
        }
    }

    @Test func orphanedSessionFoldersAreRemovedButNothingElse() async throws {
        let manager = try manager("orphans")
        let live = try await manager.start(fileURL: TestMedia.clip, strategy: .hlsCopy)
        let root = await manager.configuration.root
        let orphan = root.appendingPathComponent("0123456789abcdef0123456789abcdef/media", isDirectory: true)
        let unrelated = root.appendingPathComponent("keep-me", isDirectory: true)
        try FileManager.default.createDirectory(at: orphan, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: unrelated, withIntermediateDirectories: true)

        #expect(await manager.removeOrphanedSessionFolders() == 1)
        #expect(!FileManager.default.fileExists(atPath: orphan.deletingLastPathComponent().path))
        #expect(FileManager.default.fileExists(atPath: unrelated.path))
        #expect(await manager.response(sessionId: live.sessionId, path: "index.m3u8").status == 200)
        await TestMedia.cleanUp(manager)
    }

    @Test func aCrashedTranscoderAnswers500InsteadOfWaiting() async throws {
        let manager = try manager("crash") { $0.transcodeReadRate = 1 }
        let info = try await manager.start(fileURL: TestMedia.clip, strategy: .transcode)
        let pid = try #require(await manager.sessions[info.sessionId]?.producer?.processIdentifier)
        kill(pid, SIGKILL)
        let started = ContinuousClock.now
        let response = await manager.response(sessionId: info.sessionId, path: "seg00002.ts")
        #expect(response.status == 500)
        #expect(try await response.text.contains("transcode_failed"))
        #expect(ContinuousClock.now - started < .seconds(10))
        await TestMedia.cleanUp(manager)
    }
}

@Suite struct HLSSourceProbeTests {
    @Test func parsesCodecsAndSkipsCoverArt() throws {
        let json = """
            {"streams":[{"codec_name":"mjpeg","codec_type":"video","disposition":{"attached_pic":1}},
            {"codec_name":"hevc","codec_type":"video","height":2160,"disposition":{"attached_pic":0}},
            {"codec_name":"eac3","codec_type":"audio"}],"format":{"duration":"5400.5"}}
            """
        let probe = try HLSSourceProbe.parse(Data(json.utf8))
        #expect(probe == HLSSourceProbe(duration: 5400.5, videoCodec: "hevc", audioCodec: "eac3", videoHeight: 2160))
        #expect(probe.isCopyableToHLS)
        #expect(!HLSSourceProbe(duration: 1, videoCodec: "vp9", audioCodec: "opus").isCopyableToHLS)
        #expect(!HLSSourceProbe(duration: 1, videoCodec: nil, audioCodec: nil).isCopyableToHLS)
    }

    @Test(arguments: ["{}", "not json", #"{"format":{"duration":"N/A"}}"#, #"{"format":{"duration":"-3"}}"#,
        #"{"format":{"duration":"1e12"}}"#])
    func rejectsMissingOrAbsurdDurations(_ json: String) {
        #expect(throws: HLSSessionManager.Error.self) { try HLSSourceProbe.parse(Data(json.utf8)) }
    }
}
