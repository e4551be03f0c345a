import Foundation

/// Matching a file's container and codecs against a profile: case-insensitive, with the common
/// aliases folded to one name (`avc1` = `h264`, `hvc1` = `hevc`, `mp4a` = `aac`, `matroska` =
/// `mkv`, `mov`/`m4v` = `mp4`, …), so ffprobe's names, file extensions and RFC 6381 strings
/// compare equal. HDR formats are carried but not matched here: the catalog does not record them.
extension DeviceProfile {
    /// The one name a container goes by: `mkv`, `mp4`, `webm`, `ts`, `avi`, … (ffprobe's
    /// `format_name` lists such as `matroska,webm` or `mov,mp4,m4a,3gp,3g2,mj2` are read by their
    /// first member).
    public static func canonicalContainer(_ name: String) -> String {
        let first = name.split(separator: ",").first.map(String.init) ?? name
        let key = first.trimmingCharacters(in: .whitespaces).lowercased()
        switch key {
        case "matroska", "mkv", "mka", "mk3d", "x-matroska", "video/x-matroska": return "mkv"
        case "mov", "mp4", "m4v", "m4a", "isom", "quicktime", "video/mp4", "video/quicktime": return "mp4"
        case "webm", "video/webm": return "webm"
        case "mpegts", "ts", "m2ts", "mts", "mp2t", "video/mp2t": return "ts"
        case "avi", "video/x-msvideo": return "avi"
        default: return key
        }
    }

    /// The one name a codec goes by, ffprobe's where it has one: `h264`, `hevc`, `vp9`, `av1`,
    /// `aac`, `mp3`, `ac3`, `eac3`, `opus`, … An RFC 6381 string (`avc1.640028`, `mp4a.40.2`)
    /// counts as its codec.
    public static func canonicalCodec(_ name: String) -> String {
        let key = name.trimmingCharacters(in: .whitespaces).lowercased()
        // MP3 in MP4 is object type 0x6b (or MPEG-1/2 audio 0x69, or AAC OTI 40.34).
        if ["mp4a.40.34", "mp4a.6b", "mp4a.69"].contains(key) { return "mp3" }
        let head = key.split(separator: ".", maxSplits: 1).first.map(String.init) ?? key
        let rfc6381Heads: Set<String> = ["avc1", "avc3", "hvc1", "hev1", "mp4a", "vp09", "av01", "ac-3", "ec-3", "mp4v"]
        let base = rfc6381Heads.contains(head) ? head : key
        switch base {
        case "h264", "h.264", "avc", "avc1", "avc3", "x264": return "h264"
        case "hevc", "h265", "h.265", "hvc1", "hev1", "x265": return "hevc"
        case "vp9", "vp09": return "vp9"
        case "av1", "av01": return "av1"
        case "mpeg4", "mp4v", "xvid", "divx": return "mpeg4"
        case "mpeg2video", "mpeg2", "mp2v": return "mpeg2video"
        case "aac", "mp4a", "aac_latm": return "aac"
        case "mp3", "mpga", "mpeg audio": return "mp3"
        case "ac3", "ac-3", "a52": return "ac3"
        case "eac3", "e-ac-3", "ec-3", "ec3": return "eac3"
        case "dts", "dca", "dtsc", "dtsh", "dtsl": return "dts"
        case "truehd", "mlp": return "truehd"
        case "flac", "fla", "flac1", "fflc": return "flac"
        case "opus", "ops": return "opus"
        default: return base
        }
    }

    /// Whether the player opens `container` (any alias). A Matroska player opens WebM, which is a
    /// subset of it.
    public func allowsContainer(_ container: String?) -> Bool {
        guard let container else { return false }
        let wanted = Self.canonicalContainer(container)
        let listed = Set(containers.map(Self.canonicalContainer))
        return listed.contains(wanted) || (wanted == "webm" && listed.contains("mkv"))
    }

    /// Whether the player decodes the video codec (any alias).
    public func allowsVideoCodec(_ codec: String?) -> Bool {
        guard let codec else { return false }
        return videoCodecs.map(Self.canonicalCodec).contains(Self.canonicalCodec(codec))
    }

    /// Whether the player decodes the audio codec (any alias).
    public func allowsAudioCodec(_ codec: String?) -> Bool {
        guard let codec else { return false }
        return audioCodecs.map(Self.canonicalCodec).contains(Self.canonicalCodec(codec))
    }

    /// Whether the player plays a file untouched: the container is listed, and so are the codecs of
    /// the streams it has (a file without audio needs no audio codec listed).
    public func playsUntouched(container: String?, videoCodec: String?, audioCodec: String?) -> Bool {
        allowsContainer(container)
            && (videoCodec == nil || allowsVideoCodec(videoCodec))
            && (audioCodec == nil || allowsAudioCodec(audioCodec))
            && (videoCodec != nil || audioCodec != nil)
    }
}
