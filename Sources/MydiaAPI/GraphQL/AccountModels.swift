// Search, continue-watching, device, token and streaming models (PROTOCOL.md §7, §11.8, §12.17).

/// A search hit or a recently added item.
public struct SearchItem: Sendable, Hashable, Codable, Identifiable {
    /// The item id.
    public var id: String
    /// `movie`, `show` or `episode` as sent; see `kind`.
    public var type: String
    /// The title, sanitised.
    @DisplayString public var title: String
    /// Year, if known.
    public var year: Int?
    /// A secondary line (genres, show and episode number), sanitised.
    @OptionalDisplayString public var subtitle: String?
    /// For episodes.
    public var seasonNumber: Int?
    /// For episodes.
    public var episodeNumber: Int?
    /// For episodes: the show id.
    public var parentId: String?

    /// The item kind, or `nil` for a kind this client does not know (ignored, §12.1).
    public var kind: MediaKind? { MediaKind(rawValue: type) }
}

/// One section of a search result (one per item type).
public struct SearchSection: Sendable, Hashable, Codable {
    /// The item type of this section.
    public var type: String
    /// Matches in this section (may exceed `results.count`).
    public var totalCount: Int
    /// The hits shown.
    public var results: [SearchItem]
}

/// The answer to `search`.
public struct SearchResult: Sendable, Hashable, Codable {
    /// All matches.
    public var totalCount: Int
    /// Hits grouped by type.
    public var sections: [SearchSection]
}

/// An item in "continue watching" (§11.8).
public struct ContinueItem: Sendable, Hashable, Codable, Identifiable {
    /// The movie or episode id.
    public var id: String
    /// `movie` or `episode`.
    public var type: String
    /// The title, sanitised.
    @DisplayString public var title: String
    /// Where playback stopped.
    public var progress: Progress?
    /// For episodes: the show id.
    public var showId: String?
    /// For episodes: the show's title, sanitised.
    @OptionalDisplayString public var showTitle: String?
    /// For episodes.
    public var seasonNumber: Int?
    /// For episodes.
    public var episodeNumber: Int?
    /// Playable files.
    public var files: [MediaFile]

    /// The item kind, or `nil` for a kind this client does not know.
    public var kind: MediaKind? { MediaKind(rawValue: type) }
}

/// A device paired with the instance (§11.8).
public struct Device: Sendable, Hashable, Codable, Identifiable {
    /// The device id.
    public var id: String
    /// The name, sanitised and at most 64 characters.
    @DisplayName public var deviceName: String
    /// e.g. `linux`, sanitised.
    @DisplayName public var platform: String
    /// RFC 3339.
    public var createdAt: String
    /// RFC 3339.
    public var lastSeenAt: String
    /// Whether the device was revoked.
    public var revoked: Bool
    /// Whether this is the device asking.
    public var current: Bool
}

/// A freshly issued token.
public struct TokenResult: Sendable, Hashable, Codable {
    /// The token.
    public var token: String
    /// RFC 3339 expiry.
    public var expiresAt: String
}

/// The instance's version information.
public struct ServerCompatibility: Sendable, Hashable, Codable {
    /// The server version.
    public var version: String
    /// The oldest player version the server supports.
    public var minPlayerVersion: String
}

/// An HLS streaming session (§7): play `/api/v1/hls/{sessionId}/index.m3u8`.
public struct StreamingSession: Sendable, Hashable, Codable {
    /// The session id.
    public var sessionId: String
    /// Media duration in seconds.
    public var duration: Double
    /// Where the player should start, in seconds.
    public var startPosition: Double
}

/// How the instance prepares a stream.
public enum StreamingStrategy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Remux without re-encoding.
    case hlsCopy = "HLS_COPY"
    /// Re-encode.
    case transcode = "TRANSCODE"
}
