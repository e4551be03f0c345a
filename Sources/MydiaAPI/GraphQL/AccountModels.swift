// Search, rails, device, token and streaming models, with stock Mydia's names and nullability
// (PROTOCOL.md §14.1). Fields the 2026-07-01 generation lacks are optional.

/// A search hit (stock `SearchResult`).
public struct SearchItem: Sendable, Hashable, Codable, Identifiable {
    /// The item id.
    public var id: String
    /// `MOVIE`, `TV_SHOW`, `EPISODE` or `COLLECTION` as sent; see `kind`.
    public var type: String
    /// The title, sanitised.
    @DisplayString public var title: String
    /// Year, if known.
    public var year: Int?
    /// The show's title for episodes, sanitised.
    @OptionalDisplayString public var subtitle: String?
    /// For episodes.
    public var seasonNumber: Int?
    /// For episodes.
    public var episodeNumber: Int?
    /// For episodes: the show id.
    public var parentId: String?

    /// The item kind, or `nil` for a kind this client does not browse (ignored, §12.1).
    public var kind: MediaKind? { MediaKind(wire: type) }
}

/// One section of a search result (one per item type).
public struct SearchSection: Sendable, Hashable, Codable {
    /// The item type of this section (`SearchResultType`).
    public var type: String
    /// Matches in this section (may exceed `results.count`).
    public var totalCount: Int
    /// The hits shown.
    public var results: [SearchItem]
}

/// A search answer (stock `SearchResults`). Older servers send one flat `results` list: it is
/// grouped into sections by type while decoding, so callers see one shape.
public struct SearchResults: Sendable, Hashable, Codable {
    /// Matches in total.
    public var totalCount: Int
    /// Sections, one per type.
    public var sections: [SearchSection]

    private enum CodingKeys: String, CodingKey { case totalCount, sections, results }

    /// Creates a result.
    public init(totalCount: Int, sections: [SearchSection]) {
        self.totalCount = totalCount
        self.sections = sections
    }

    /// Decodes either generation's shape.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        totalCount = try c.decode(Int.self, forKey: .totalCount)
        if let sections = try c.decodeIfPresent([SearchSection].self, forKey: .sections) {
            self.sections = sections
        } else {
            let flat = try c.decodeIfPresent([SearchItem].self, forKey: .results) ?? []
            var order: [String] = []
            var byType: [String: [SearchItem]] = [:]
            for item in flat {
                if byType[item.type] == nil { order.append(item.type) }
                byType[item.type, default: []].append(item)
            }
            sections = order.map { SearchSection(type: $0, totalCount: byType[$0]?.count ?? 0, results: byType[$0] ?? []) }
        }
    }

    /// Encodes the sectioned shape.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(totalCount, forKey: .totalCount)
        try c.encode(sections, forKey: .sections)
    }
}

/// An item of the continue-watching rail (stock `ContinueWatchingItem`).
public struct ContinueItem: Sendable, Hashable, Codable, Identifiable {
    /// The movie or episode id.
    public var id: String
    /// `MOVIE` or `EPISODE` as sent; see `kind`.
    public var type: String
    /// The title, sanitised.
    @DisplayString public var title: String
    /// Where the viewer stopped.
    public var progress: Progress?
    /// For episodes: the show id.
    public var showId: String?
    /// For episodes: the show title, sanitised.
    @OptionalDisplayString public var showTitle: String?
    /// For episodes.
    public var seasonNumber: Int?
    /// For episodes.
    public var episodeNumber: Int?
    /// Playable files (older servers do not send them).
    @CompactList public var files: [MediaFile]

    /// The item kind, or `nil` for a kind this client does not know.
    public var kind: MediaKind? { MediaKind(wire: type) }
}

/// An item of the recently-added rail (stock `RecentlyAddedItem`).
public struct RecentlyAddedItem: Sendable, Hashable, Codable, Identifiable {
    /// The movie or show id.
    public var id: String
    /// `MOVIE` or `TV_SHOW` as sent; see `kind`.
    public var type: String
    /// The title, sanitised.
    @DisplayString public var title: String
    /// Year, if known.
    public var year: Int?
    /// Artwork, if any.
    public var artwork: Artwork?
    /// RFC 3339 time it was added.
    public var addedAt: String
    /// For shows: the season of the newest episode (newer servers only).
    public var latestSeasonNumber: Int?
    /// For shows: the newest episode's number (newer servers only).
    public var latestEpisodeNumber: Int?

    /// The item kind, or `nil` for a kind this client does not know.
    public var kind: MediaKind? { MediaKind(wire: type) }
}

/// A device of the account (stock `RemoteDevice`). The client knows its own id from pairing or
/// login: there is no `current` field.
public struct Device: Sendable, Hashable, Codable, Identifiable {
    /// The device id.
    public var id: String
    /// Its name, sanitised and shortened.
    @DisplayName public var deviceName: String
    /// Its platform, sanitised and shortened.
    @DisplayName public var platform: String
    /// RFC 3339 time it was paired or first logged in.
    public var createdAt: String
    /// RFC 3339 time it was last active, if ever.
    public var lastSeenAt: String?
    /// Active within the last 15 minutes (newer servers only).
    public var online: Bool?
    /// Whether it was revoked.
    public var isRevoked: Bool
}

/// What `revokeDevice` answers.
public struct RevokeDeviceResult: Sendable, Hashable, Codable {
    /// The revoked device's id.
    public struct Revoked: Sendable, Hashable, Codable {
        /// Its id.
        public var id: String
    }

    /// Whether the device existed and is now revoked.
    public var success: Bool
    /// The device, when it existed.
    public var device: Revoked?
}

/// What `markMovieWatched`/`markEpisodeWatched` and their opposites answer: the item's progress.
public struct WatchedItem: Sendable, Hashable, Codable {
    /// The item id.
    public var id: String
    /// Its progress after the change.
    public var progress: Progress?
}

/// A token with its expiry (stock `AccessToken`, `MediaToken`).
public struct TokenResult: Sendable, Hashable, Codable {
    /// The token.
    public var token: String
    /// RFC 3339 expiry.
    public var expiresAt: String
}

/// What the server runs (`serverCompatibility`, newer servers only; needs no bearer).
public struct ServerCompatibility: Sendable, Hashable, Codable {
    /// The server's version.
    public var version: String
    /// The oldest player version it works with.
    public var minPlayerVersion: String
}

/// How much of the media a session's playlist covers.
public enum PlaylistMode: String, Sendable, Hashable, Codable {
    /// The whole file: every segment is addressable at once, seeking is a plain seek.
    case full = "FULL"
    /// A growing window: seeking outside it needs a new session.
    case window = "WINDOW"
}

/// An HLS streaming session (stock `StreamingSessionResult`): play `/api/v1/hls/{sessionId}/index.m3u8`.
public struct StreamingSession: Sendable, Hashable, Codable {
    /// The session id.
    public var sessionId: String
    /// Media duration in seconds, if known.
    public var duration: Double?
    /// Where the stream begins in the media, in whole seconds (WINDOW only; `nil`/0 = the start).
    public var startPosition: Int?
    /// What the session serves; older servers do not say, and serve WINDOW.
    public var playlistMode: PlaylistMode?

    /// The playlist mode in force.
    public var mode: PlaylistMode { playlistMode ?? .window }
    /// The media position at which the stream's time 0 lies.
    public var offset: Int { mode == .full ? 0 : startPosition ?? 0 }
}

/// How the instance prepares a stream.
public enum StreamingStrategy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Remux without re-encoding.
    case hlsCopy = "HLS_COPY"
    /// Re-encode.
    case transcode = "TRANSCODE"
}

/// A way the server can deliver a file (stock `StreamingCandidateStrategy`).
public enum CandidateStrategy: String, Sendable, Hashable, Codable {
    /// The file itself, byte ranges (`/api/v1/stream/file/{id}?strategy=DIRECT_PLAY`).
    case directPlay = "DIRECT_PLAY"
    /// A container remux.
    case remux = "REMUX"
    /// HLS, stream copy.
    case hlsCopy = "HLS_COPY"
    /// HLS, transcoded.
    case transcode = "TRANSCODE"
}

/// One delivery option, in the server's order of preference.
public struct StreamingCandidate: Sendable, Hashable, Codable {
    /// The strategy, or `nil` for one this client does not know.
    public var strategy: CandidateStrategy?
    /// MIME type with codecs.
    public var mime: String
    /// Container of what would be delivered.
    public var container: String
    /// RFC 6381 video codec.
    public var videoCodec: String?
    /// RFC 6381 audio codec.
    public var audioCodec: String?

    private enum CodingKeys: String, CodingKey { case strategy, mime, container, videoCodec, audioCodec }

    /// Decodes a candidate; an unknown strategy is kept as `nil` (and skipped by the player).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        strategy = CandidateStrategy(rawValue: try c.decode(String.self, forKey: .strategy))
        mime = try c.decode(String.self, forKey: .mime)
        container = try c.decode(String.self, forKey: .container)
        videoCodec = try c.decodeIfPresent(String.self, forKey: .videoCodec)
        audioCodec = try c.decodeIfPresent(String.self, forKey: .audioCodec)
    }

    /// Creates a candidate.
    public init(strategy: CandidateStrategy?, mime: String, container: String, videoCodec: String?, audioCodec: String?) {
        self.strategy = strategy
        self.mime = mime
        self.container = container
        self.videoCodec = videoCodec
        self.audioCodec = audioCodec
    }
}

/// The source file as the server describes it for streaming.
public struct StreamingMetadata: Sendable, Hashable, Codable {
    /// Seconds, if known.
    public var duration: Double?
    /// Pixels, if known.
    public var width: Int?
    /// Pixels, if known.
    public var height: Int?
    /// The source container, if known.
    public var container: String?
}

/// What `streamingCandidates` answers.
public struct StreamingCandidates: Sendable, Hashable, Codable {
    /// The resolved file id.
    public var fileId: String
    /// Options, most preferred first.
    public var candidates: [StreamingCandidate]
    /// The source file.
    public var metadata: StreamingMetadata

    /// Whether the server puts direct play first.
    public var prefersDirectPlay: Bool { candidates.first?.strategy == .directPlay }
}
