/// RFC 6381 `codecs` strings for a file's streams, from ffprobe's codec, profile and level, and
/// the MIME types that carry them (`video/mp4; codecs="avc1.640028, mp4a.40.2"`), as stock Mydia
/// writes them in `StreamingCandidate`.
public enum CodecString {
    /// What stock Mydia's TRANSCODE output is announced as: H.264 High at level 4.0.
    public static let transcodeVideo = "avc1.640028"
    /// AAC-LC, the TRANSCODE output's audio.
    public static let transcodeAudio = "mp4a.40.2"

    /// The RFC 6381 string of a video stream; `nil` for codecs without one here.
    /// - Parameters:
    ///   - codec: ffprobe's codec name (`h264`, `hevc`, `vp9`, `av1`, `vp8`).
    ///   - profile: ffprobe's profile (`High`, `Main 10`, `Profile 0`).
    ///   - level: ffprobe's level (`40` for H.264 4.0, `120` for HEVC 4).
    public static func video(codec: String?, profile: String?, level: Int?) -> String? {
        guard let codec else { return nil }
        let profile = profile?.lowercased() ?? ""
        switch codec.lowercased() {
        case "h264":
            let (idc, constraints): (Int, Int) =
                if profile.contains("constrained baseline") { (66, 0x40) }
                else if profile.contains("baseline") { (66, 0) }
                else if profile.contains("main") { (77, 0) }
                else if profile.contains("high 10") { (110, 0) }
                else if profile.contains("high 4:2:2") { (122, 0) }
                else if profile.contains("high 4:4:4") { (244, 0) }
                else { (100, 0) }
            let levelIDC = level.flatMap { (1...255).contains($0) ? $0 : nil } ?? 40
            return "avc1." + hex2(idc) + hex2(constraints) + hex2(levelIDC)
        case "hevc":
            let idc = profile.contains("main 10") ? 2 : profile.contains("still") ? 3 : profile.contains("rext") ? 4 : 1
            let levelIDC = level.flatMap { (1...255).contains($0) ? $0 : nil } ?? 120
            return "hvc1.\(idc).4.L\(levelIDC).B0"
        case "vp9":
            let number = profile.last.flatMap { Int(String($0)) } ?? 0
            return "vp09.0\(min(3, number)).31.08"
        case "av1":
            let number = profile.contains("professional") ? 2 : profile.contains("high") ? 1 : 0
            let levelIDX = level.flatMap { (0...31).contains($0) ? $0 : nil } ?? 8
            return "av01.\(number).\(levelIDX < 10 ? "0" : "")\(levelIDX)M.08"
        case "vp8": return "vp8"
        default: return nil
        }
    }

    /// The RFC 6381 string of an audio stream; `nil` for codecs without one (DTS, TrueHD, PCM).
    public static func audio(codec: String?, profile: String?) -> String? {
        guard let codec else { return nil }
        let profile = profile?.lowercased() ?? ""
        switch codec.lowercased() {
        case "aac":
            if profile.contains("he-aacv2") { return "mp4a.40.29" }
            if profile.contains("he-aac") { return "mp4a.40.5" }
            return "mp4a.40.2"
        case "mp3": return "mp4a.40.34"
        case "ac3": return "ac-3"
        case "eac3": return "ec-3"
        case "opus": return "opus"
        case "vorbis": return "vorbis"
        case "flac": return "flac"
        default: return nil
        }
    }

    /// `type; codecs="video, audio"`, or the bare type when neither string is known.
    public static func mime(container: String, video: String?, audio: String?) -> String {
        let type = MediaContainer.mimeType(container)
        let codecs = [video, audio].compactMap { $0 }
        return codecs.isEmpty ? type : "\(type); codecs=\"\(codecs.joined(separator: ", "))\""
    }

    private static func hex2(_ value: Int) -> String {
        let digits = String(value, radix: 16)
        return digits.count < 2 ? "0" + digits : digits
    }
}
