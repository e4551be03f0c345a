import Foundation
import MydiaWire

// The values GraphQL fields resolve to (PROTOCOL.md §7, §11.8, §12.17). Every nested value is
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

struct ArtworkObject: Sendable {
    var posterUrl: String?
    var thumbnailUrl: String?
}

struct MediaFileObject: Sendable {
    var id: ItemID
    var resolution: String?
    var codec: String?
    var audioCodec: String?
    /// Bytes as a Float: GraphQL Int is 32-bit (PROTOCOL.md §11.8).
    var size: Double
    var bitrate: Int?
    var duration: Double

    init(_ f: MediaFileRecord) {
        id = ItemID(f.id)
        resolution = f.resolution
        codec = f.videoCodec
        audioCodec = f.audioCodec
        size = Double(f.size)
        bitrate = f.bitrate.map { min($0, Int(Int32.max)) }
        duration = f.duration
    }
}

struct ProgressObject: Sendable {
    var positionSeconds: Double
    var durationSeconds: Double
    var percentage: Double
    var watched: Bool
    var lastWatchedAt: String?

    init(_ p: ProgressRecord) {
        positionSeconds = p.position
        durationSeconds = p.duration
        percentage = p.percentage
        watched = p.watched
        lastWatchedAt = WireTime.format(p.lastWatchedAt)
    }
}

struct MovieObject: Sendable {
    var id: ItemID
    var title: String
    var year: Int?
    var overview: String?
    /// Minutes, rounded up, from the longest file.
    var runtime: Int?
    var genres: [String]
    var artwork: ArtworkObject?
    var progress: ProgressObject?
    var files: [MediaFileObject]
}

struct EpisodeObject: Sendable {
    var id: ItemID
    var showId: ItemID
    var seasonNumber: Int
    var episodeNumber: Int
    var title: String
    var overview: String?
    var airDate: String?
    var runtime: Int?
    var progress: ProgressObject?
    var files: [MediaFileObject]
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
    var seasonCount: Int
    var episodeCount: Int
    var seasons: [SeasonObject]
    var nextEpisode: EpisodeObject?
    var artwork: ArtworkObject?
}

struct PageInfoObject: Sendable {
    var hasNextPage: Bool
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

struct SearchItemObject: Sendable {
    var id: ItemID
    var type: String
    var title: String
    var year: Int?
    var subtitle: String?
    var seasonNumber: Int?
    var episodeNumber: Int?
    var parentId: ItemID?
}

struct SearchSectionObject: Sendable {
    var type: String
    var totalCount: Int
    var results: [SearchItemObject]
}

struct SearchResultObject: Sendable {
    var totalCount: Int
    var sections: [SearchSectionObject]
}

struct ContinueItemObject: Sendable {
    var id: ItemID
    var type: String
    var title: String
    var progress: ProgressObject?
    var showId: ItemID?
    var showTitle: String?
    var seasonNumber: Int?
    var episodeNumber: Int?
    var files: [MediaFileObject]
}

struct TokenResultObject: Sendable {
    var token: String
    var expiresAt: String

    init(_ t: IssuedToken) {
        token = t.token
        expiresAt = WireTime.format(t.expiresAt)
    }
}

struct ServerCompatibilityObject: Sendable {
    var version: String
    var minPlayerVersion: String
}

struct DeviceObject: Sendable {
    var id: ItemID
    var deviceName: String
    var platform: String
    var createdAt: String
    var lastSeenAt: String
    var revoked: Bool
    var current: Bool

    init(_ d: DeviceRecord, current: Bool) {
        id = ItemID(d.id)
        deviceName = d.name
        platform = d.platform
        createdAt = WireTime.format(d.createdAt)
        lastSeenAt = WireTime.format(d.lastSeenAt)
        revoked = d.revoked
        self.current = current
    }
}

struct StreamingSessionObject: Sendable {
    var sessionId: ItemID
    var duration: Double
    var startPosition: Double
}
