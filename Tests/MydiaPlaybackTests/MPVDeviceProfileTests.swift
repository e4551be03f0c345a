import MydiaAPI
import MydiaPlayback
import MydiaWire
import Testing

/// mpv's device profile (PROTOCOL.md §14.2.7): what it says mpv plays untouched, that it fits the
/// header's limits, and that `streamingCandidates` carries it.
@Suite struct MPVDeviceProfileTests {
    @Test func theProfileFitsTheHeaderAndDecodesToItself() throws {
        let value = try #require(MPVDeviceProfile.headerValue)
        #expect(value.utf8.count <= DeviceProfile.maxEncodedBytes && !value.contains("="))
        #expect(DeviceProfile.decodeHeader(value) == MPVDeviceProfile.profile)
    }

    @Test func mpvPlaysTheCommonFilesUntouched() {
        let mpv = MPVDeviceProfile.profile
        for (container, video, audio) in [("matroska,webm", "h264", "aac"), ("mov,mp4,m4a,3gp,3g2,mj2", "hevc", "eac3"),
                                          ("webm", "vp9", "opus"), ("mkv", "av1", "flac"), ("mpegts", "mpeg2video", "ac3"),
                                          ("avi", "mpeg4", "mp3"), ("mkv", "hevc", "truehd"), ("mkv", "h264", "dts"),
                                          ("mp4", "avc1.640028", "mp4a.40.2")] {
            #expect(mpv.playsUntouched(container: container, videoCodec: video, audioCodec: audio), "\(container) \(video) \(audio)")
        }
        #expect(mpv.hdrFormats == ["hdr10", "hlg"])
        #expect(!mpv.playsUntouched(container: "rm", videoCodec: "rv40", audioCodec: "cook"))
    }

    @Test func streamingCandidatesCarriesTheProfileHeaderOnlyWhenGiven() throws {
        let with = Operations.streamingCandidates(contentType: "movie", id: "m1", deviceProfile: MPVDeviceProfile.profile)
        #expect(with.headers == ["x-mydia-device-profile": try #require(MPVDeviceProfile.headerValue)])
        #expect(Operations.streamingCandidates(contentType: "movie", id: "m1").headers.isEmpty)
        // A profile the server would ignore (over the limits) is not sent.
        let huge = DeviceProfile(containers: (0..<65).map { "c\($0)" })
        #expect(Operations.streamingCandidates(contentType: "episode", id: "e1", deviceProfile: huge).headers.isEmpty)
    }
}
