/// Subtitle formats: names for codecs and file extensions, and which are text.
public enum SubtitleFormatName {
    /// ffprobe codec names of subtitle formats ffmpeg turns into WebVTT.
    public static let textCodecs: Set<String> = [
        "subrip", "srt", "ass", "ssa", "webvtt", "mov_text", "text", "microdvd", "subviewer", "subviewer1",
        "sami", "realtext", "jacosub", "mpl2", "pjs", "vplayer", "stl", "eia_608",
    ]

    /// The format name and whether it is text, for an embedded stream's codec.
    public static func forCodec(_ codec: String?) -> (format: String, deliverable: Bool) {
        let codec = codec?.lowercased() ?? ""
        let format: String = switch codec {
        case "subrip", "srt": "srt"
        case "webvtt": "vtt"
        case "hdmv_pgs_subtitle", "pgssub": "pgs"
        case "dvd_subtitle", "dvdsub": "vobsub"
        case "dvb_subtitle", "dvbsub": "dvb"
        case "dvb_teletext": "teletext"
        case "": "unknown"
        default: codec
        }
        return (format, textCodecs.contains(codec))
    }

    /// The format name and whether it is text, for a sidecar's extension (lowercase, no dot);
    /// `nil` when the extension is not a subtitle format.
    public static func forExtension(_ ext: String) -> (format: String, deliverable: Bool)? {
        switch ext {
        case "srt": ("srt", true)
        case "vtt": ("vtt", true)
        case "ass": ("ass", true)
        case "ssa": ("ssa", true)
        case "smi", "sami": ("sami", true)
        // A lone `.sub` is MicroDVD or SubViewer text; beside an `.idx` it is VobSub's bitmap data.
        case "sub": ("sub", true)
        case "idx": ("vobsub", false)
        case "sup": ("pgs", false)
        default: nil
        }
    }
}
