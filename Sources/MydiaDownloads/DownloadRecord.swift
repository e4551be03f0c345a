public import MydiaAPI

/// One download as `download.json` keeps it and `downloads --json` shows it: what the item is, the
/// server file it came from (with its strong ETag), where it lies and its subtitle files.
public struct DownloadRecord: Sendable, Hashable, Codable {
    /// Movie or episode.
    public enum Kind: String, Sendable, Hashable, Codable { case movie, episode }

    /// One subtitle track saved beside the file.
    public struct Subtitle: Sendable, Hashable, Codable {
        /// The server's track id.
        public var trackId: String
        /// ISO 639-2 code, `und` when unknown.
        public var language: String
        /// Display title.
        public var title: String
        /// The WebVTT file's name inside the download's `subtitles/` folder.
        public var fileName: String
    }

    /// The item id `download` took.
    public var id: String
    /// Movie or episode.
    public var kind: Kind
    /// The title shown in lists: `Title (Year)`, or `S01E02 · Episode` for an episode.
    public var title: String
    /// The show an episode belongs to.
    public var showId: String?
    public var showTitle: String?
    public var season: Int?
    public var episode: Int?
    /// Seconds, when known.
    public var duration: Double?
    /// The server's media file id.
    public var fileId: String
    /// The server's strong ETag of the file the bytes came from.
    public var etag: String?
    /// Bytes of the file (complete) or written so far (partial).
    public var bytes: Int64
    /// The file's full size, when known.
    public var totalBytes: Int64?
    /// Whether the file is complete (renamed into place).
    public var complete: Bool
    /// Absolute path of the file: the complete file, or the partial file while in progress.
    public var path: String
    /// The subtitle tracks saved.
    public var subtitles: [Subtitle]
    /// When the download completed (RFC 3339), if it did.
    public var completedAt: String?
    /// The catalog entry as the server described it at download time, so the item plays offline.
    public var movie: Movie?
    public var episodeItem: Episode?
}
