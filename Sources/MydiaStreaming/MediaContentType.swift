/// `content-type` values for the files the streaming endpoints serve.
public enum MediaContentType {
    /// The HLS playlist type (RFC 8216 §4).
    public static let playlist = "application/vnd.apple.mpegurl"

    /// The content type for a file name, by extension (case-insensitive);
    /// `application/octet-stream` when the extension is unknown.
    public static func forFileName(_ name: String) -> String {
        guard let dot = name.lastIndex(of: ".") else { return "application/octet-stream" }
        switch name[name.index(after: dot)...].lowercased() {
        case "m3u8", "m3u": return playlist
        case "ts": return "video/mp2t"
        case "m4s": return "video/iso.segment"
        case "mp4", "m4v": return "video/mp4"
        case "m4a": return "audio/mp4"
        case "mkv": return "video/x-matroska"
        case "webm": return "video/webm"
        case "aac": return "audio/aac"
        case "vtt": return "text/vtt"
        case "mov": return "video/quicktime"
        case "avi": return "video/x-msvideo"
        default: return "application/octet-stream"
        }
    }

    /// Whether a file name is an HLS playlist, which is always served whole (PROTOCOL.md §12.16).
    public static func isPlaylist(_ name: String) -> Bool {
        forFileName(name) == playlist
    }
}
