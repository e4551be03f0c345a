/// The container a media file is in, named as stock Mydia names it (`mkv`, `mp4`, `webm`, `mov`,
/// `avi`, `ts`, …), and the HTTP content type that goes with it.
public enum MediaContainer {
    /// The container name from ffprobe's `format_name` and the file's extension. ffprobe names
    /// families (`matroska,webm`, `mov,mp4,m4a,3gp,3g2,mj2`); the extension tells their members
    /// apart. Without a `format_name` the extension alone decides.
    /// - Parameters:
    ///   - formatName: ffprobe's `format.format_name`, if any.
    ///   - fileExtension: the file's extension, any case, without the dot.
    public static func name(formatName: String?, fileExtension: String) -> String? {
        let ext = fileExtension.lowercased()
        guard let formatName, !formatName.isEmpty else {
            return LibraryNames.videoExtensions.contains(ext) ? ext : nil
        }
        let members = formatName.lowercased().split(separator: ",").map(String.init)
        if members.contains("matroska") || members.contains("webm") {
            return ext == "webm" ? "webm" : "mkv"
        }
        if members.contains("mov") || members.contains("mp4") {
            switch ext {
            case "mov": return "mov"
            case "m4v": return "m4v"
            default: return "mp4"
            }
        }
        switch members.first ?? "" {
        case "mpegts": return "ts"
        case "asf": return ext == "wma" ? "wma" : "wmv"
        case let first where !first.isEmpty: return String(first.prefix(32))
        default: return nil
        }
    }

    /// The content type a file in `container` is served with (`video/x-matroska`, `video/mp4`, …);
    /// `application/octet-stream` for containers without a well-known type.
    public static func mimeType(_ container: String?) -> String {
        switch container?.lowercased() {
        case "mkv": "video/x-matroska"
        case "mp4", "m4v": "video/mp4"
        case "mov": "video/quicktime"
        case "webm": "video/webm"
        case "ts": "video/mp2t"
        case "avi": "video/x-msvideo"
        case "mpeg": "video/mpeg"
        case "flv": "video/x-flv"
        case "wmv": "video/x-ms-wmv"
        case "ogg": "video/ogg"
        default: "application/octet-stream"
        }
    }
}
