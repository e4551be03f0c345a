import Foundation
import Testing

@testable import MydiaStreaming

#if canImport(Glibc)
import Glibc
#endif

/// The WebVTT side of `/api/player/v1/subtitles/…` (PROTOCOL.md §14.2.6): real ffmpeg on the
/// library made by `Resources/make-subtitle-library.sh`.
@Suite struct SubtitleConverterTests {
    /// The subtitle library, made once per machine and shared (read-only) by these tests.
    static let library: URL = {
        let url = TestMedia.fixtures.appendingPathComponent("subtitle-library", isDirectory: true)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Resources/make-subtitle-library.sh")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [script.path, url.path]
        try? process.run()
        process.waitUntilExit()
        return url
    }()

    static func movie(_ suffix: String) -> URL {
        library.appendingPathComponent("Movies/Subtitled (2020)\(suffix)")
    }

    func converter(_ label: String, configure: (inout SubtitleConverter.Configuration) -> Void = { _ in }) throws
        -> (SubtitleConverter, URL)
    {
        let cache = TestMedia.freshFolder(label).appendingPathComponent("cache/subtitles")
        var configuration = SubtitleConverter.Configuration(cacheDirectory: cache)
        configure(&configuration)
        return (SubtitleConverter(configuration: configuration, tools: try TestMedia.tools()), cache)
    }

    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func aSidecarSRTBecomesWebVTT() async throws {
        let (converter, cache) = try converter("srt")
        let vtt = text(try await converter.webVTT(for: .textFile(Self.movie(".en.srt")), fileID: "mf_1", trackID: "sc_1"))
        #expect(vtt.hasPrefix("WEBVTT"))
        #expect(vtt.contains("00:00.250 --> 00:01.000"))
        #expect(vtt.contains("Hello from the sidecar"))
        try? FileManager.default.removeItem(at: cache.deletingLastPathComponent().deletingLastPathComponent())
    }

    @Test func anEmbeddedTextStreamBecomesWebVTT() async throws {
        let (converter, cache) = try converter("embedded")
        let vtt = text(try await converter.webVTT(for: .stream(Self.movie(".mkv"), index: 2), fileID: "mf_1", trackID: "2"))
        #expect(vtt.hasPrefix("WEBVTT"))
        #expect(vtt.contains("Hallo <i>Welt</i>") && vtt.contains("Zweite Zeile"))
        try? FileManager.default.removeItem(at: cache.deletingLastPathComponent().deletingLastPathComponent())
    }

    @Test func anASSSidecarLosesItsStylingButKeepsItsCue() async throws {
        let (converter, cache) = try converter("ass")
        let vtt = text(try await converter.webVTT(for: .textFile(Self.movie(".eng.forced.ass")), fileID: "mf_1", trackID: "sc_2"))
        #expect(vtt.hasPrefix("WEBVTT") && vtt.contains("Only the sign") && !vtt.contains("Dialogue:"))
        try? FileManager.default.removeItem(at: cache.deletingLastPathComponent().deletingLastPathComponent())
    }

    @Test func aSidecarVTTIsServedAsItIs() async throws {
        let (converter, cache) = try converter("vtt")
        let source = Self.movie(".en.sdh.vtt")
        let bytes = try await converter.webVTT(for: .webVTTFile(source), fileID: "mf_1", trackID: "sc_3")
        #expect(bytes == Array(try Data(contentsOf: source)))
        try? FileManager.default.removeItem(at: cache.deletingLastPathComponent().deletingLastPathComponent())
    }

    @Test func aVTTSidecarThatIsNotWebVTTIsRefused() async throws {
        let (converter, cache) = try converter("bad-vtt")
        let folder = cache.deletingLastPathComponent().deletingLastPathComponent()
        for (name, body) in [("srt.vtt", Array("1\n00:00:00,000 --> 00:00:01,000\nx\n".utf8)),
                             ("prefix.vtt", Array("WEBVTTX\n".utf8)), ("latin1.vtt", Array("WEBVTT\n\n00:00.000 --> 00:01.000\n".utf8) + [0xE9])] {
            let file = folder.appendingPathComponent(name)
            try Data(body).write(to: file)
            await #expect(throws: SubtitleConverter.Error.invalidWebVTT) {
                try await converter.webVTT(for: .webVTTFile(file), fileID: "mf_1", trackID: name)
            }
        }
        // A BOM and a header comment are WebVTT.
        let good = folder.appendingPathComponent("bom.vtt")
        try Data([0xEF, 0xBB, 0xBF] + Array("WEBVTT - made by hand\n".utf8)).write(to: good)
        #expect(try await converter.webVTT(for: .webVTTFile(good), fileID: "mf_1", trackID: "bom").count == 25)
        try? FileManager.default.removeItem(at: folder)
    }

    @Test func resultsAreCachedPrivatelyAndMadeAgainWhenTheSourceChanges() async throws {
        let (converter, cache) = try converter("cache")
        let folder = cache.deletingLastPathComponent().deletingLastPathComponent()
        let source = folder.appendingPathComponent("x.srt")
        try Data("1\n00:00:01,000 --> 00:00:02,000\nfirst\n".utf8).write(to: source)
        let first = text(try await converter.webVTT(for: .textFile(source), fileID: "mf_1", trackID: "sc_x"))
        #expect(first.contains("first"))
        let entries = try FileManager.default.contentsOfDirectory(atPath: cache.path)
        #expect(entries.count == 1 && entries[0].hasSuffix(".vtt"), "\(entries)")
        var st = stat()
        #expect(stat(cache.appendingPathComponent(entries[0]).path, &st) == 0 && st.st_mode & 0o777 == 0o600)
        #expect(stat(cache.path, &st) == 0 && st.st_mode & 0o777 == 0o700)

        // The cached answer is served without ffmpeg: a broken ffmpeg does not matter.
        let cachedOnly = SubtitleConverter(configuration: .init(cacheDirectory: cache),
                                           tools: try FFmpegTools(ffmpeg: URL(fileURLWithPath: "/bin/false"),
                                                                  ffprobe: URL(fileURLWithPath: "/bin/false")))
        #expect(text(try await cachedOnly.webVTT(for: .textFile(source), fileID: "mf_1", trackID: "sc_x")) == first)

        // An edited source is a new cache entry.
        try Data("1\n00:00:01,000 --> 00:00:02,000\nsecond, longer\n".utf8).write(to: source)
        #expect(text(try await converter.webVTT(for: .textFile(source), fileID: "mf_1", trackID: "sc_x")).contains("second"))
        try? FileManager.default.removeItem(at: folder)
    }

    @Test func concurrentRequestsForOneTrackShareTheirAnswer() async throws {
        let (converter, cache) = try converter("shared") { $0.maxConcurrentConversions = 1 }
        let answers = try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for _ in 0..<4 {
                group.addTask { try await converter.webVTT(for: .stream(Self.movie(".mkv"), index: 2), fileID: "mf_1", trackID: "2") }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.count == 4 && Set(answers).count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.path).count == 1)
        try? FileManager.default.removeItem(at: cache.deletingLastPathComponent().deletingLastPathComponent())
    }

    @Test func limitsOnSizeAndTimeAreErrorsNotCrashes() async throws {
        let (small, smallCache) = try converter("too-large") { $0.maxOutputBytes = 16; $0.maxInputBytes = 16 }
        await #expect(throws: SubtitleConverter.Error.tooLarge) {
            try await small.webVTT(for: .textFile(Self.movie(".en.srt")), fileID: "mf_1", trackID: "sc_1")
        }
        await #expect(throws: SubtitleConverter.Error.tooLarge) {
            try await small.webVTT(for: .webVTTFile(Self.movie(".en.sdh.vtt")), fileID: "mf_1", trackID: "sc_3")
        }
        let (slow, slowCache) = try converter("timeout") { $0.timeout = .zero }
        await #expect(throws: SubtitleConverter.Error.timedOut) {
            try await slow.webVTT(for: .stream(Self.movie(".mkv"), index: 2), fileID: "mf_1", trackID: "2")
        }
        // Nothing half-made is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: smallCache.path).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: slowCache.path).isEmpty)
        for cache in [smallCache, slowCache] {
            try? FileManager.default.removeItem(at: cache.deletingLastPathComponent().deletingLastPathComponent())
        }
    }

    @Test func imageStreamsAndMissingSourcesFailPlainly() async throws {
        let (converter, cache) = try converter("failures")
        let error = await #expect(throws: SubtitleConverter.Error.self) {
            try await converter.webVTT(for: .stream(Self.movie(".mkv"), index: 3), fileID: "mf_1", trackID: "3")
        }
        if case .conversionFailed? = error {} else { Issue.record("\(String(describing: error))") }
        await #expect(throws: SubtitleConverter.Error.sourceMissing) {
            try await converter.webVTT(for: .textFile(Self.movie(".fr.srt")), fileID: "mf_1", trackID: "sc_9")
        }
        // A file that is a playlist, not subtitles, is not opened as one (demuxer allowlist).
        let folder = cache.deletingLastPathComponent().deletingLastPathComponent()
        let playlist = folder.appendingPathComponent("evil.srt")
        try Data("#EXTM3U\n#EXTINF:1,\n/etc/passwd\n".utf8).write(to: playlist)
        await #expect(throws: SubtitleConverter.Error.self) {
            try await converter.webVTT(for: .textFile(playlist), fileID: "mf_1", trackID: "sc_evil")
        }
        try? FileManager.default.removeItem(at: folder)
    }
}
