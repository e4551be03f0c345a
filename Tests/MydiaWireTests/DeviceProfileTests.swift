import Foundation
import MydiaCrypto
import MydiaWire
import Testing

/// `X-Mydia-Device-Profile` (PROTOCOL.md §14.2.7): the header codec, its limits, and matching
/// with aliases.
@Suite struct DeviceProfileTests {
    /// The header value of a raw JSON text, as a client would send it.
    func header(_ json: String) -> String { Encoding.base64URL(Array(json.utf8)) }

    @Test func roundTripsThroughTheHeaderAndLowercasesEntries() throws {
        let profile = DeviceProfile(containers: ["MKV", " mp4 "], videoCodecs: ["H264", "hevc"], audioCodecs: ["aac", ""],
                                    hdrFormats: ["HDR10"])
        #expect(profile.containers == ["mkv", "mp4"] && profile.audioCodecs == ["aac"] && profile.hdrFormats == ["hdr10"])
        let value = try profile.headerValue()
        #expect(!value.contains("=") && !value.contains("+") && !value.contains("/"))
        #expect(DeviceProfile.decodeHeader(value) == profile)
        let json = String(decoding: try #require(Encoding.fromBase64URL(value)), as: UTF8.self)
        #expect(json == #"{"audioCodecs":["aac"],"containers":["mkv","mp4"],"hdrFormats":["hdr10"],"videoCodecs":["h264","hevc"]}"#)
    }

    @Test func missingListsAreEmptyAndUnknownKeysAreIgnored() {
        let profile = DeviceProfile.decodeHeader(header(#"{"containers":["WebM"],"extra":{"a":1}}"#))
        #expect(profile == DeviceProfile(containers: ["webm"]))
        #expect(DeviceProfile.decodeHeader(header("{}")) == DeviceProfile())
    }

    @Test(arguments: [
        "", "   ", "!!!notbase64", "eyJjb250YWluZXJzIjpbIm1rdiJdfQ.x",
    ])
    func malformedValuesMeanNoProfile(_ value: String) {
        #expect(DeviceProfile.decodeHeader(value) == nil)
    }

    @Test(arguments: [
        "not json", "[]", "\"mkv\"", #"{"containers":"mkv"}"#, #"{"containers":[1,2]}"#,
        #"{"videoCodecs":[null]}"#, #"{"audioCodecs":{"a":"b"}}"#,
    ])
    func jsonOfTheWrongShapeMeansNoProfile(_ json: String) {
        #expect(DeviceProfile.decodeHeader(header(json)) == nil)
    }

    @Test func limitsAreEnforcedOnReceipt() {
        let sixtyFour = (0..<64).map { "c\($0)" }
        #expect(DeviceProfile.decodeHeader(header(#"{"containers":\#(json(sixtyFour))}"#))?.containers.count == 64)
        #expect(DeviceProfile.decodeHeader(header(#"{"containers":\#(json(sixtyFour + ["one more"]))}"#)) == nil)

        let longest = String(repeating: "a", count: 64)
        #expect(DeviceProfile.decodeHeader(header(#"{"videoCodecs":["\#(longest)"]}"#))?.videoCodecs == [longest])
        #expect(DeviceProfile.decodeHeader(header(#"{"videoCodecs":["\#(longest)a"]}"#)) == nil)

        // 4,096 encoded bytes at most: longer values are refused before they are decoded, even
        // when every list inside is within its limits.
        #expect(DeviceProfile.decodeHeader(String(repeating: "A", count: 4097)) == nil)
        let big = (0..<4).map { list in (0..<60).map { "\(list)-" + String(repeating: "x", count: 14) + "\($0)" } }
        let bigJSON = #"{"containers":\#(json(big[0])),"videoCodecs":\#(json(big[1])),"audioCodecs":\#(json(big[2])),"hdrFormats":\#(json(big[3]))}"#
        #expect(header(bigJSON).utf8.count > 4096)
        #expect(DeviceProfile.decodeHeader(header(bigJSON)) == nil)
    }

    @Test func theEncoderRefusesWhatAServerWouldIgnore() {
        #expect(throws: DeviceProfile.Error.tooManyEntries("containers")) {
            try DeviceProfile(containers: (0...64).map { "c\($0)" }).headerValue()
        }
        #expect(throws: DeviceProfile.Error.entryTooLong(String(repeating: "v", count: 65))) {
            try DeviceProfile(videoCodecs: [String(repeating: "v", count: 65)]).headerValue()
        }
        let big = (0..<60).map { String(repeating: "x", count: 18) + "\($0)" }
        #expect(throws: DeviceProfile.Error.self) {
            try DeviceProfile(containers: big, videoCodecs: big, audioCodecs: big, hdrFormats: big).headerValue()
        }
    }

    @Test func aliasesMatchCaseInsensitively() {
        let profile = DeviceProfile(containers: ["Matroska", "MOV"], videoCodecs: ["AVC1", "hvc1"], audioCodecs: ["mp4a", "E-AC-3"])
        #expect(profile.allowsContainer("mkv") && profile.allowsContainer("matroska,webm"))
        #expect(profile.allowsContainer("webm"), "a Matroska player opens WebM")
        #expect(profile.allowsContainer("mp4") && profile.allowsContainer("m4v") && profile.allowsContainer("MP4"))
        #expect(!profile.allowsContainer("avi") && !profile.allowsContainer(nil))
        #expect(profile.allowsVideoCodec("h264") && profile.allowsVideoCodec("avc1.640028") && profile.allowsVideoCodec("HEVC"))
        #expect(profile.allowsVideoCodec("h265") && profile.allowsVideoCodec("hev1.1.6.L93.B0"))
        #expect(!profile.allowsVideoCodec("vp9") && !profile.allowsVideoCodec(nil))
        #expect(profile.allowsAudioCodec("aac") && profile.allowsAudioCodec("mp4a.40.2") && profile.allowsAudioCodec("eac3"))
        #expect(!profile.allowsAudioCodec("mp4a.40.34"), "MP3 in MP4 is not AAC")
        #expect(!profile.allowsAudioCodec("ac3"))
    }

    @Test func playsUntouchedNeedsTheContainerAndEveryPresentStreamsCodec() {
        let profile = DeviceProfile(containers: ["mkv"], videoCodecs: ["h264"], audioCodecs: ["aac"])
        #expect(profile.playsUntouched(container: "mkv", videoCodec: "h264", audioCodec: "aac"))
        #expect(profile.playsUntouched(container: "mkv", videoCodec: "h264", audioCodec: nil))
        #expect(!profile.playsUntouched(container: "mp4", videoCodec: "h264", audioCodec: "aac"))
        #expect(!profile.playsUntouched(container: "mkv", videoCodec: "hevc", audioCodec: "aac"))
        #expect(!profile.playsUntouched(container: "mkv", videoCodec: "h264", audioCodec: "dts"))
        #expect(!profile.playsUntouched(container: "mkv", videoCodec: nil, audioCodec: nil))
    }

    private func json(_ list: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(list)) ?? Data(), as: UTF8.self)
    }
}
