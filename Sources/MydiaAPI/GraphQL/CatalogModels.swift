// Catalog models decoded from the instance's GraphQL answers, with stock Mydia's field names and
// nullability (PROTOCOL.md §14.1; `../shared/stock-mydia/schema.graphql`). Fields an older server
// (the 2026-07-01 generation) does not have are optional. Display strings are sanitised while decoding.

/// Poster and thumbnail URLs, instance-relative (fetched like any §7 endpoint).
public struct Artwork: Sendable, Hashable, Codable {
    /// Poster image path, if any.
    public var posterUrl: String?
    /// Thumbnail image path, if any.
    public var thumbnailUrl: String?
}

/// One subtitle track of a file (`SubtitleTrack`).
public struct SubtitleTrack: Sendable, Hashable, Codable {
    /// Stream index for an embedded track, an opaque id for a sidecar file.
    public var trackId: String
    /// ISO 639-2 code (`eng`), `und` when unknown.
    @DisplayString public var language: String
    /// Display title.
    @DisplayString public var title: String
    /// `srt`, `vtt`, `ass`, `pgs`, …
    @DisplayString public var format: String
    /// Whether it is a stream inside the media file.
    public var embedded: Bool
    /// Whether the server can deliver it as text (false for PGS/VobSub). Older servers do not say:
    /// then it is judged by `format`.
    public var deliverable: Bool?
    /// Subtitles only foreign dialogue and signs.
    public var forced: Bool?
    /// Carries sound descriptions (SDH).
    public var hearingImpaired: Bool?
    /// Server-relative WebVTT URL (`url(format: VTT)`), when deliverable.
    public var url: String?

    /// Whether the track can be loaded into the player as text.
    public var isDeliverable: Bool {
        deliverable ?? !["pgs", "vobsub", "dvd_subtitle", "hdmv_pgs_subtitle", "dvb_subtitle"].contains(format.lowercased())
    }

    /// One line for lists: `eng · English (SDH) · srt · forced · SDH`, and why it is not loaded.
    public var summary: String {
        var parts = [language]
        if !title.isEmpty, title != language { parts.append(title) }
        parts.append(format + (embedded ? "" : ", file"))
        if forced == true { parts.append("forced") }
        if hearingImpaired == true { parts.append("SDH") }
        if !isDeliverable { parts.append("image-based: direct play only") }
        return parts.joined(separator: " · ")
    }
}

/// One playable file of a movie or episode (`MediaFile`).
public struct MediaFile: Sendable, Hashable, Codable {
    /// The file id for `startStreamingSession(fileId:)` and `/api/v1/stream/file/{id}`.
    public var id: String
    /// e.g. `1080p`.
    @OptionalDisplayString public var resolution: String?
    /// Video codec name.
    @OptionalDisplayString public var codec: String?
    /// Audio codec name.
    @OptionalDisplayString public var audioCodec: String?
    /// Size in bytes, if known (a JSON number: files pass 2^31 bytes).
    public var size: Double?
    /// Bits per second, if known.
    public var bitrate: Int?
    /// Duration in seconds, if known (older servers do not send it).
    public var duration: Double?
    /// Container (`mkv`, `mp4`), if known.
    @OptionalDisplayString public var container: String?
    /// Whether this client's player can play the file untouched (answered from the device profile).
    public var directPlaySupported: Bool?
    /// Subtitle tracks; only detail queries ask for them.
    @CompactList public var subtitles: [SubtitleTrack]
    /// Skippable intro and credits; only detail queries ask for them (empty from older servers).
    @CompactList public var segments: [MediaSegment]
    /// Video, audio and subtitle streams; only detail queries of current servers ask for them
    /// (empty when the server has not probed the file yet).
    @CompactList public var streams: [MediaStream]
}

/// A skippable part of a file (`MediaSegment`): the intro or the credits, in milliseconds.
public struct MediaSegment: Sendable, Hashable, Codable {
    /// `INTRO` or `CREDITS` (a newer server may name more; those are not skipped).
    public var type: String
    /// Where it starts, in milliseconds.
    public var startMs: Int
    /// Where it ends, in milliseconds.
    public var endMs: Int

    public init(type: String, startMs: Int, endMs: Int) {
        self.type = type
        self.startMs = startMs
        self.endMs = endMs
    }
}

/// Watch progress, per instance user. Positions are whole seconds (§14.1).
public struct Progress: Sendable, Hashable, Codable {
    /// Where playback stopped, in seconds.
    public var positionSeconds: Int
    /// The item's duration, in seconds, if known.
    public var durationSeconds: Int?
    /// 0–100, if known.
    public var percentage: Double?
    /// Whether the item counts as watched.
    public var watched: Bool
    /// RFC 3339 time of the last update, if any.
    public var lastWatchedAt: String?

    /// The completed share, 0–100: the server's figure, else computed from the positions.
    public var percent: Double {
        if let percentage { return percentage }
        guard let durationSeconds, durationSeconds > 0 else { return 0 }
        return min(100, Double(positionSeconds) * 100 / Double(durationSeconds))
    }
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
    @CompactList public var genres: [DisplayString]
    /// Artwork, if any.
    public var artwork: Artwork?
    /// Watch progress, if any.
    public var progress: Progress?
    /// Playable files.
    @CompactList public var files: [MediaFile]
    /// The title in its original language, sanitised, when the server knows one (e.g. the latin
    /// title of a film whose display title is in another script, or the other way round).
    @OptionalDisplayString public var originalTitle: String?
    /// When the server added it (RFC 3339), if sent.
    public var addedAt: String?
    /// Average rating 0–10, if known.
    public var rating: Double?

    /// Genre names as plain strings.
    public var genreNames: [String] { genres.map(\.wrappedValue) }
}

/// The show an episode belongs to (`Episode.show { id title }`).
public struct ShowReference: Sendable, Hashable, Codable {
    /// The show id.
    public var id: String
    /// The show's title, sanitised.
    @DisplayString public var title: String
}

/// One episode of a show.
public struct Episode: Sendable, Hashable, Codable, Identifiable {
    /// The episode id.
    public var id: String
    /// Season number.
    public var seasonNumber: Int
    /// Episode number within the season.
    public var episodeNumber: Int
    /// The title, sanitised, if the server has one.
    @OptionalDisplayString public var title: String?
    /// Synopsis, sanitised.
    @OptionalDisplayString public var overview: String?
    /// `YYYY-MM-DD`, if known.
    public var airDate: String?
    /// Minutes, if known.
    public var runtime: Int?
    /// Watch progress, if any.
    public var progress: Progress?
    /// Playable files.
    @CompactList public var files: [MediaFile]
    /// The show, when the server says.
    public var show: ShowReference?

    /// The show's id, if known.
    public var showId: String? { show?.id }
    /// The title to display: the episode's own, else `Episode N`.
    public var displayTitle: String { title ?? "Episode \(episodeNumber)" }
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
    /// e.g. `Ended`, if known.
    @OptionalDisplayString public var status: String?
    /// Number of seasons, if known.
    public var seasonCount: Int?
    /// Number of episodes, if known.
    public var episodeCount: Int?
    /// Seasons in order.
    @CompactList public var seasons: [Season]
    /// The episode to watch next, if any.
    public var nextEpisode: Episode?
    /// Artwork, if any.
    public var artwork: Artwork?
    /// The title in its original language, sanitised, if known.
    @OptionalDisplayString public var originalTitle: String?
    /// When the server added it (RFC 3339), if sent.
    public var addedAt: String?
    /// Average rating 0–10, if known.
    public var rating: Double?
    /// Genre names, sanitised (older answers may lack them).
    @CompactList public var genres: [DisplayString]

    /// Genre names as plain strings.
    public var genreNames: [String] { genres.map(\.wrappedValue) }
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

    /// An empty last page (what a `null` connection means).
    public static var empty: Connection { Connection(edges: [], pageInfo: PageInfo(hasNextPage: false, endCursor: nil), totalCount: 0) }
}
