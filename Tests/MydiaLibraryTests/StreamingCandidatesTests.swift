import Foundation
import MydiaLibrary
import MydiaWire
import Testing

/// `streamingCandidates` and `directPlaySupported` (PROTOCOL.md §14.1, §14.2.7): the order a
/// client sees, with and without a device profile.
@Suite struct StreamingCandidatesTests {
    func file(container: String?, ext: String, video: String?, audio: String?, videoProfile: String? = "High",
              level: Int? = 40) -> MediaFileRecord {
        var streams: [MediaStreamFacts] = []
        if let video {
            streams.append(MediaStreamFacts(index: 0, kind: .video, codec: video, profile: videoProfile, level: level,
                                            width: 1920, height: 1080))
        }
        if let audio { streams.append(MediaStreamFacts(index: 1, kind: .audio, codec: audio, profile: "LC", channels: 2)) }
        return MediaFileRecord(id: "mf_1", itemID: "mv_1", relativePath: "Movies/A.\(ext)", url: URL(fileURLWithPath: "/lib/Movies/A.\(ext)"),
                               size: 1, duration: 5400.5, resolution: video == nil ? nil : "1920x1080", videoCodec: video,
                               audioCodec: audio, bitrate: 8_000_000, container: container, streams: streams)
    }

    func strategies(_ c: StreamingCandidates) -> [StreamingCandidates.Candidate.Strategy] { c.candidates.map(\.strategy) }

    @Test func withoutAProfileDirectPlayComesFirstAsStockDoes() {
        let mkv = StreamingCandidates(file: file(container: "mkv", ext: "mkv", video: "h264", audio: "aac"), profile: nil)
        #expect(mkv.directPlaySupported)
        #expect(strategies(mkv) == [.directPlay, .hlsCopy, .transcode])
        #expect(mkv.fileID == "mf_1")
        let direct = mkv.candidates[0]
        #expect(direct.container == "mkv" && direct.videoCodec == "avc1.640028" && direct.audioCodec == "mp4a.40.2")
        #expect(direct.mime == #"video/x-matroska; codecs="avc1.640028, mp4a.40.2""#)
        #expect(mkv.candidates[1] == .init(strategy: .hlsCopy, mime: #"video/mp2t; codecs="avc1.640028, mp4a.40.2""#,
                                           container: "ts", videoCodec: "avc1.640028", audioCodec: "mp4a.40.2"))
        #expect(mkv.candidates[2] == .init(strategy: .transcode, mime: #"video/mp2t; codecs="avc1.640028, mp4a.40.2""#,
                                           container: "ts", videoCodec: "avc1.640028", audioCodec: "mp4a.40.2"))
        #expect(mkv.metadata == .init(duration: 5400.5, width: 1920, height: 1080, bitrate: 8_000_000, resolution: "1080p",
                                      originalCodec: "h264", originalAudioCodec: "aac", container: "mkv"))
    }

    @Test func aProfileThatListsEverythingKeepsDirectPlayFirst() {
        let profile = DeviceProfile(containers: ["matroska"], videoCodecs: ["avc1"], audioCodecs: ["mp4a"])
        let c = StreamingCandidates(file: file(container: "mkv", ext: "mkv", video: "h264", audio: "aac"), profile: profile)
        #expect(c.directPlaySupported && strategies(c) == [.directPlay, .hlsCopy, .transcode])
    }

    @Test(arguments: [
        DeviceProfile(containers: ["mp4"], videoCodecs: ["h264"], audioCodecs: ["aac"]),
        DeviceProfile(containers: ["mkv"], videoCodecs: ["hevc"], audioCodecs: ["aac"]),
        DeviceProfile(containers: ["mkv"], videoCodecs: ["h264"], audioCodecs: ["opus"]),
        DeviceProfile(),
    ])
    func aProfileMissingAnythingLosesDirectPlay(_ profile: DeviceProfile) {
        let c = StreamingCandidates(file: file(container: "mkv", ext: "mkv", video: "h264", audio: "aac"), profile: profile)
        #expect(!c.directPlaySupported)
        #expect(strategies(c) == [.hlsCopy, .transcode])
        #expect(!StreamingCandidates.directPlaySupported(file: file(container: "mkv", ext: "mkv", video: "h264", audio: "aac"),
                                                         profile: profile))
    }

    @Test func codecsHLSCannotCarryGoStraightToTranscode() {
        let webm = file(container: "webm", ext: "webm", video: "vp9", audio: "opus", videoProfile: "Profile 0", level: nil)
        let none = StreamingCandidates(file: webm, profile: nil)
        #expect(strategies(none) == [.directPlay, .transcode])
        #expect(none.candidates[0].mime == #"video/webm; codecs="vp09.00.31.08, opus""#)
        let browser = StreamingCandidates(file: webm, profile: DeviceProfile(containers: ["webm"], videoCodecs: ["vp9"], audioCodecs: ["opus"]))
        #expect(strategies(browser) == [.directPlay, .transcode])
        let old = StreamingCandidates(file: webm, profile: DeviceProfile(containers: ["mp4"], videoCodecs: ["h264"], audioCodecs: ["aac"]))
        #expect(strategies(old) == [.transcode] && !old.directPlaySupported)

        // DTS has no RFC 6381 string and does not fit HLS: the codecs list names the video only.
        let dts = StreamingCandidates(file: file(container: "mkv", ext: "mkv", video: "hevc", audio: "dts", videoProfile: "Main 10", level: 150),
                                      profile: nil)
        #expect(strategies(dts) == [.directPlay, .transcode])
        #expect(dts.candidates[0].mime == #"video/x-matroska; codecs="hvc1.2.4.L150.B0""#)
    }

    @Test func aSilentFileNeedsNoAudioCodecAndTranscodesWithoutOne() {
        let silent = file(container: "mp4", ext: "mp4", video: "h264", audio: nil)
        let c = StreamingCandidates(file: silent, profile: DeviceProfile(containers: ["mp4"], videoCodecs: ["h264"]))
        #expect(strategies(c) == [.directPlay, .hlsCopy, .transcode])
        #expect(c.candidates[2].audioCodec == nil && c.candidates[2].mime == #"video/mp2t; codecs="avc1.640028""#)
    }

    @Test func rfc6381StringsFollowProfileAndLevel() {
        #expect(CodecString.video(codec: "h264", profile: "Constrained Baseline", level: 13) == "avc1.42400d")
        #expect(CodecString.video(codec: "h264", profile: "Main", level: 31) == "avc1.4d001f")
        #expect(CodecString.video(codec: "h264", profile: "High 10", level: 51) == "avc1.6e0033")
        #expect(CodecString.video(codec: "h264", profile: nil, level: nil) == "avc1.640028")
        #expect(CodecString.video(codec: "hevc", profile: "Main", level: 93) == "hvc1.1.4.L93.B0")
        #expect(CodecString.video(codec: "av1", profile: "Main", level: 8) == "av01.0.08M.08")
        #expect(CodecString.video(codec: "mpeg4", profile: "Simple Profile", level: 1) == nil)
        #expect(CodecString.audio(codec: "aac", profile: "HE-AAC") == "mp4a.40.5")
        #expect(CodecString.audio(codec: "aac", profile: "HE-AACv2") == "mp4a.40.29")
        #expect(CodecString.audio(codec: "mp3", profile: nil) == "mp4a.40.34")
        #expect(CodecString.audio(codec: "eac3", profile: nil) == "ec-3")
        #expect(CodecString.audio(codec: "truehd", profile: nil) == nil)
    }

    @Test func aScannedFileGivesItsRealCodecStrings() async throws {
        let (root, _, library) = try await SubtitleLibrary.scanned()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let file = try #require(try await SubtitleLibrary.file(library, "Subtitled (2020).mkv"))
        let c = StreamingCandidates(file: file, profile: nil)
        #expect(c.candidates[0] == .init(strategy: .directPlay, mime: #"video/x-matroska; codecs="avc1.42400d, mp4a.40.2""#,
                                         container: "mkv", videoCodec: "avc1.42400d", audioCodec: "mp4a.40.2"))
        #expect(c.metadata.width == 320 && c.metadata.height == 240 && c.metadata.resolution == "240p")
    }
}
