/// How much of the media a session's playlist covers (stock Mydia's `PlaylistMode`,
/// PROTOCOL.md §14.1, §14.4).
public enum PlaylistMode: String, Sendable, Codable, CaseIterable {
    /// The playlist lists the whole file from media time 0 with exact `#EXTINF`s; every segment is
    /// addressable at once (one not yet produced answers 503 + `Retry-After`). Seeking is a plain seek.
    case full = "FULL"
    /// The playlist grows as segments are produced and covers only those; a seek outside it needs a
    /// new session.
    case window = "WINDOW"
}
