// Catalog models decoded from the instance's GraphQL answers, with its exact field names and
// nullability (PROTOCOL.md §7, §11.8, §12.17). Display strings are sanitised while decoding.

/// Poster and thumbnail URLs, instance-relative (fetched like any §7 endpoint).
public struct Artwork: Sendable, Hashable, Codable {
    /// Poster image path, if any.
    public var posterUrl: String?
    /// Thumbnail image path, if any.
    public var thumbnailUrl: String?
}

/// One playable file of a movie or episode.
public struct MediaFile: Sendable, Hashable, Codable {
    /// The file id for `startStreamingSession(fileId:)` and `/api/v1/stream/file/{id}`.
    public var id: String
    /// e.g. `1080p`.
    @OptionalDisplayString public var resolution: String?
    /// Video codec name.
    @OptionalDisplayString public var codec: String?
    /// Audio codec name.
    @OptionalDisplayString public var audioCodec: String?
    /// Size in bytes (a GraphQL Float, §11.8).
    public var size: Double
    /// Bits per second, if known.
    public var bitrate: Int?
    /// Duration in seconds.
    public var duration: Double
}

/// Watch progress, per instance user (§12.17).
public struct Progress: Sendable, Hashable, Codable {
    /// Where playback stopped, in seconds.
    public var positionSeconds: Double
    /// The item's duration, in seconds.
    public var durationSeconds: Double
    /// 0–100.
    public var percentage: Double
    /// Whether the item counts as watched.
    public var watched: Bool
    /// RFC 3339 time of the last update, if any.
    public var lastWatchedAt: String?
}

/// A movie.
public struct Movie: Sendable, Hashable, Codable, Identifiable {
    /// The movie id.
    public var id: String
    /// The title, sanitised.
    @DisplayString public var title: String
    /// Release year, if known.
    public var year: Int?
    /// Synopsis, sanitised.
    @OptionalDisplayString public var overview: String?
    /// Minutes, if known.
    public var runtime: Int?
    /// Genre names, sanitised.
    public var genres: [DisplayString]
    /// Artwork, if any.
    public var artwork: Artwork?
    /// Watch progress, if any.
    public var progress: Progress?
    /// Playable files.
    public var files: [MediaFile]

    /// Genre names as plain strings.
    public var genreNames: [String] { genres.map(\.wrappedValue) }
}

/// One episode of a show.
public struct Episode: Sendable, Hashable, Codable, Identifiable {
    /// The episode id.
    public var id: String
    /// The show's id.
    public var showId: String
    /// Season number.
    public var seasonNumber: Int
    /// Episode number within the season.
    public var episodeNumber: Int
    /// The title, sanitised.
    @DisplayString public var title: String
    /// Synopsis, sanitised.
    @OptionalDisplayString public var overview: String?
    /// `YYYY-MM-DD`, if known.
    public var airDate: String?
    /// Minutes, if known.
    public var runtime: Int?
    /// Watch progress, if any.
    public var progress: Progress?
    /// Playable files.
    public var files: [MediaFile]
}

/// A season summary inside `TvShow`.
public struct Season: Sendable, Hashable, Codable {
    /// Season number.
    public var seasonNumber: Int
    /// Episodes in the season.
    public var episodeCount: Int
}

/// A TV show.
public struct TvShow: Sendable, Hashable, Codable, Identifiable {
    /// The show id.
    public var id: String
    /// The title, sanitised.
    @DisplayString public var title: String
    /// First-air year, if known.
    public var year: Int?
    /// Synopsis, sanitised.
    @OptionalDisplayString public var overview: String?
    /// e.g. `ended`, if known.
    @OptionalDisplayString public var status: String?
    /// Number of seasons.
    public var seasonCount: Int
    /// Number of episodes.
    public var episodeCount: Int
    /// Seasons in order.
    public var seasons: [Season]
    /// The episode to watch next, if any.
    public var nextEpisode: Episode?
    /// Artwork, if any.
    public var artwork: Artwork?
}

/// Relay-style pagination state (§11.15: cursors are opaque).
public struct PageInfo: Sendable, Hashable, Codable {
    /// Whether another page follows.
    public var hasNextPage: Bool
    /// The cursor to pass as `after` for the next page.
    public var endCursor: String?
}

/// One edge of a connection.
public struct Edge<Node: Sendable & Hashable & Codable>: Sendable, Hashable, Codable {
    /// The item.
    public var node: Node
    /// This item's cursor.
    public var cursor: String
}

/// A page of a `movies` or `tvShows` connection.
public struct Connection<Node: Sendable & Hashable & Codable>: Sendable, Hashable, Codable {
    /// The items of this page.
    public var edges: [Edge<Node>]
    /// Where the next page starts.
    public var pageInfo: PageInfo
    /// Items in the whole connection.
    public var totalCount: Int

    /// The page's items.
    public var nodes: [Node] { edges.map(\.node) }
}
