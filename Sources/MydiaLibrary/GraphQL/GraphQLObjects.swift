import Foundation
import Graphiti
import MydiaWire

// The values GraphQL fields resolve to, in stock Mydia's types (PROTOCOL.md §14.1). Every nested value is
// computed when its parent is built, so the schema maps fields to key paths only.

/// A GraphQL `ID`: an opaque string.
struct ItemID: Codable, Sendable, Hashable {
    var rawValue: String
    init(_ rawValue: String) { self.rawValue = rawValue }
    init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// `DateTime` (ISO 8601 in UTC with `Z`) and `Date` (`YYYY-MM-DD`), stock's two time scalars.
struct DateTimeValue: Codable, Sendable, Hashable {
    var text: String
    init(_ date: Date) { text = WireTime.format(date) }
    init(from decoder: any Decoder) throws { text = try decoder.singleValueContainer().decode(String.self) }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

/// A calendar date, `YYYY-MM-DD` (stock's `Date` scalar).
struct DateValue: Codable, Sendable, Hashable {
    var text: String
    init(_ text: String) { self.text = text }
    init(from decoder: any Decoder) throws { text = try decoder.singleValueContainer().decode(String.self) }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

/// `enum MediaType` (and the values `SearchResultType` shares with it).
enum MediaTypeValue: String, Codable, Sendable, CaseIterable {
    case movie = "MOVIE"
    case tvShow = "TV_SHOW"
    case episode = "EPISODE"
}

/// `enum PlaylistMode`.
enum PlaylistModeValue: String, Codable, Sendable, CaseIterable {
    case full = "FULL"
    case window = "WINDOW"
}

struct ArtworkObject: Sendable {
    var posterUrl: String?
    var thumbnailUrl: String?
}

/// Stock's `SubtitleTrack`.
struct SubtitleTrackObject: Sendable {
    var trackId: String
    var language: String
    var title: String
    var format: String
    var embedded: Bool
    var deliverable: Bool
    var forced: Bool
    var hearingImpaired: Bool
    var vttURL: String?

    init(_ t: SubtitleTrack, fileID: String) {
        trackId = t.trackID
        language = t.language
        title = t.title
        format = t.format
        embedded = t.embedded
        deliverable = t.deliverable
        forced = t.forced
        hearingImpaired = t.hearingImpaired
        vttURL = t.webVTTURL(fileID: fileID)
    }

    struct URLArguments: Codable, Sendable { var format: SubtitleFormatValue? }

    /// `url(format:)`: WebVTT is the one text format served; other formats have no URL.
    func url(context: GraphQLContext, arguments: URLArguments) -> String? {
        (arguments.format ?? .vtt) == .vtt ? vttURL : nil
    }
}

/// `enum SubtitleFormat`.
enum SubtitleFormatValue: String, Codable, Sendable, CaseIterable {
    case srt = "SRT", vtt = "VTT", ass = "ASS", ssa = "SSA", pgs = "PGS", vobsub = "VOBSUB", unknown = "UNKNOWN"
}

/// Stock's `MediaFile`. `subtitles` and `directPlaySupported` are resolved only when asked for
/// (listing a folder, reading the request's device profile).
struct MediaFileObject: Sendable {
    var record: MediaFileRecord
    var id: ItemID { ItemID(record.id) }
    var resolution: String? { record.resolutionLabel ?? record.resolution }
    var codec: String? { record.videoCodec }
    var audioCodec: String? { record.audioCodec }
    var size: Int? { Int(record.size) }
    var bitrate: Int? { record.bitrate }
    var duration: Double? { record.duration > 0 ? record.duration : nil }
    /// What ffprobe found, else the file's extension.
    var container: String? {
        if let container = record.container { return container }
        let ext = record.url.pathExtension.lowercased()
        return ext.isEmpty ? nil : ext
    }

    init(_ f: MediaFileRecord) { record = f }

    /// Whether the caller's player plays the file untouched: from its `X-Mydia-Device-Profile`,
    /// `true` without one (stock's rule, §14.2.7).
    func directPlaySupported(context: GraphQLContext, arguments: NoArguments) -> Bool? {
        StreamingCandidates.directPlaySupported(file: record, profile: context.deviceProfile)
    }

    /// Embedded text and image tracks, then sidecar files next to the video.
    func subtitles(context: GraphQLContext, arguments: NoArguments) -> [SubtitleTrackObject]? {
        context.library.subtitleTracks(of: record).map { SubtitleTrackObject($0, fileID: record.id) }
    }
}

struct ProgressObject: Sendable {
    var positionSeconds: Int
    var durationSeconds: Int?
    var percentage: Double?
    var watched: Bool
    var lastWatchedAt: DateTimeValue?

    init(_ p: ProgressRecord) {
        positionSeconds = Int(p.position.rounded(.down))
        durationSeconds = p.duration > 0 ? Int(p.duration.rounded()) : nil
        percentage = p.percentage
        watched = p.watched
        lastWatchedAt = DateTimeValue(p.lastWatchedAt)
    }
}

struct MovieObject: Sendable {
    var id: ItemID
    var title: String
    var year: Int?
    var overview: String?
    var runtime: Int?
    var genres: [String]?
    var artwork: ArtworkObject?
    var progress: ProgressObject?
    var files: [MediaFileObject]?
    /// The title in its original language, when the library knows one (it does not yet).
    var originalTitle: String? = nil
    /// When the scan first saw it.
    var addedAt = DateTimeValue(Date(timeIntervalSince1970: 0))
    /// Average rating, 0–10 (the library has none: always `null`).
    var rating: Double? = nil
}

struct EpisodeObject: Sendable {
    var id: ItemID
    var seasonNumber: Int
    var episodeNumber: Int
    var title: String?
    var overview: String?
    var airDate: DateValue?
    var runtime: Int?
    var progress: ProgressObject?
    var files: [MediaFileObject]?
    /// The show's scalar fields only (its seasons and next episode stay null here: a show inside
    /// an episode inside a show would never end).
    var showBox: Boxed<TvShowObject>?
    var show: TvShowObject? { showBox?.value }
}

/// A value behind a reference, so an episode can hold its show and a show its next episode.
final class Boxed<Value: Sendable>: Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

struct SeasonObject: Sendable {
    var seasonNumber: Int
    var episodeCount: Int
}

struct TvShowObject: Sendable {
    var id: ItemID
    var title: String
    var year: Int?
    var overview: String?
    var status: String?
    var seasonCount: Int?
    var episodeCount: Int?
    var seasons: [SeasonObject]?
    var nextEpisode: EpisodeObject?
    var artwork: ArtworkObject?
    /// The title in its original language, when the library knows one (it does not yet).
    var originalTitle: String? = nil
    /// When the scan first saw it.
    var addedAt = DateTimeValue(Date(timeIntervalSince1970: 0))
    /// Average rating, 0–10 (always `null` here).
    var rating: Double? = nil
    /// Genre names (shows have none in this library).
    var genres: [String]? = nil
}

struct PageInfoObject: Sendable {
    var hasNextPage: Bool
    var hasPreviousPage: Bool
    var endCursor: String?
}

struct MovieEdgeObject: Sendable {
    var node: MovieObject
    var cursor: String
}

struct MovieConnectionObject: Sendable {
    var edges: [MovieEdgeObject]
    var pageInfo: PageInfoObject
    var totalCount: Int
}

struct TvShowEdgeObject: Sendable {
    var node: TvShowObject
    var cursor: String
}

struct TvShowConnectionObject: Sendable {
    var edges: [TvShowEdgeObject]
    var pageInfo: PageInfoObject
    var totalCount: Int
}

/// `enum SearchResultType`'s values this server sends (it has no collections).
enum SearchTypeValue: String, Codable, Sendable, CaseIterable {
    case movie = "MOVIE"
    case tvShow = "TV_SHOW"
    case episode = "EPISODE"

    init(_ type: MediaTypeValue) {
        switch type {
        case .movie: self = .movie
        case .tvShow: self = .tvShow
        case .episode: self = .episode
        }
    }
}

/// Stock's `SearchResult`: one hit. This server has no artwork and ranks no hits, so `artwork` and
/// `score` are null (§14.1 allows null for what an instance has no data for).
struct SearchItemObject: Sendable {
    var id: ItemID
    var type: MediaTypeValue
    var title: String
    var year: Int?
    var artwork: ArtworkObject? = nil
    var score: Double? = nil
    var subtitle: String?
    var seasonNumber: Int?
    var episodeNumber: Int?
    var parentId: ItemID?
    var searchType: SearchTypeValue { SearchTypeValue(type) }
}

struct SearchSectionObject: Sendable {
    var type: MediaTypeValue
    var totalCount: Int
    var results: [SearchItemObject]
    var searchType: SearchTypeValue { SearchTypeValue(type) }
}

/// Stock's `SearchResults`: sections (current generation), or one flat list of every section's
/// hits in order, at most `first` in all (`results`, the 2026-07-01 generation).
struct SearchResultObject: Sendable {
    var totalCount: Int
    var sections: [SearchSectionObject]
    var results: [SearchItemObject]

    init(totalCount: Int, sections: [SearchSectionObject], limit: Int) {
        self.totalCount = totalCount
        self.sections = sections
        results = Array(sections.lazy.flatMap(\.results).prefix(limit))
    }
}

/// Stock's `ContinueWatchingItem`.
struct ContinueItemObject: Sendable {
    var id: ItemID
    var type: MediaTypeValue
    var title: String
    var progress: ProgressObject
    var showId: ItemID?
    var showTitle: String?
    var seasonNumber: Int?
    var episodeNumber: Int?
    var files: [MediaFileObject]?
}

/// Stock's `RecentlyAddedItem`.
struct RecentlyAddedObject: Sendable {
    var id: ItemID
    var type: MediaTypeValue
    var title: String
    var year: Int?
    var artwork: ArtworkObject?
    var addedAt: DateTimeValue
    var latestSeasonNumber: Int?
    var latestEpisodeNumber: Int?
}

/// Stock's `AccessToken`.
struct TokenResultObject: Sendable {
    var token: String
    var expiresAt: DateTimeValue

    init(_ t: IssuedToken) {
        token = t.token
        expiresAt = DateTimeValue(t.expiresAt)
    }
}

/// Stock's `MediaToken`: the token is good for streaming media and subtitles.
struct MediaTokenObject: Sendable {
    var token: String
    var expiresAt: DateTimeValue
    var permissions: [String]

    init(_ t: IssuedToken) {
        token = t.token
        expiresAt = DateTimeValue(t.expiresAt)
        permissions = ["stream"]
    }
}

struct ServerCompatibilityObject: Sendable {
    var version: String
    var minPlayerVersion: String
}

/// Stock's `RemoteDevice`.
struct DeviceObject: Sendable {
    var id: ItemID
    var deviceName: String
    var platform: String
    var createdAt: DateTimeValue
    var lastSeenAt: DateTimeValue?
    var online: Bool
    var isRevoked: Bool

    /// Active within the last 15 minutes (stock's `online`).
    static let onlineWindow: TimeInterval = 15 * 60

    init(_ d: DeviceRecord, now: Date) {
        id = ItemID(d.id)
        deviceName = d.name
        platform = d.platform
        createdAt = DateTimeValue(d.createdAt)
        lastSeenAt = DateTimeValue(d.lastSeenAt)
        online = !d.revoked && now.timeIntervalSince(d.lastSeenAt) < Self.onlineWindow
        isRevoked = d.revoked
    }
}

/// Stock's `RevokeDeviceResult`.
struct RevokeDeviceResultObject: Sendable {
    var success: Bool
    var device: DeviceObject?
}

/// Stock's `StreamingSessionResult`.
struct StreamingSessionObject: Sendable {
    var sessionId: String
    var duration: Double?
    var startPosition: Int?
    var maxHeight: Int?
    var playlistMode: PlaylistModeValue
}
