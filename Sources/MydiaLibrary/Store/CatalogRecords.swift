public import Foundation
import GRDB

/// A movie in the catalog.
public struct MovieRecord: Sendable, Equatable {
    /// Stable opaque id (derived from the file's path below the library).
    public var id: String
    /// Display title.
    public var title: String
    /// Release year, when known.
    public var year: Int?
    /// From the sidecar, when present.
    public var overview: String?
    /// From the sidecar.
    public var genres: [String]
    /// When the scan first saw it.
    public var addedAt: Date
}

/// A show folder in the catalog.
public struct ShowRecord: Sendable, Equatable {
    /// Stable opaque id (derived from the folder name).
    public var id: String
    /// Display title.
    public var title: String
    /// First-aired year, when known.
    public var year: Int?
    /// From `show.json`.
    public var overview: String?
    /// From `show.json` (`continuing`, `ended`, …).
    public var status: String?
    /// When the scan first saw it.
    public var addedAt: Date
}

/// An episode of a show.
public struct EpisodeRecord: Sendable, Equatable {
    /// Stable opaque id (derived from show folder, season and episode number).
    public var id: String
    /// The show it belongs to.
    public var showID: String
    /// Season (0 = specials).
    public var seasonNumber: Int
    /// Episode within the season.
    public var episodeNumber: Int
    /// Display title.
    public var title: String
    /// From the sidecar.
    public var overview: String?
    /// From the sidecar (`YYYY-MM-DD`).
    public var airDate: String?
    /// When the scan first saw it.
    public var addedAt: Date
}

/// One playable file, with what ffprobe said about it.
public struct MediaFileRecord: Sendable, Equatable {
    /// Stable opaque id (derived from its path below the library).
    public var id: String
    /// The movie or episode it plays.
    public var itemID: String
    /// `/`-separated path below the library root.
    public var relativePath: String
    /// Absolute location on disk.
    public var url: URL
    /// Bytes.
    public var size: Int64
    /// Seconds.
    public var duration: Double
    /// `WIDTHxHEIGHT`.
    public var resolution: String?
    /// Video codec name.
    public var videoCodec: String?
    /// Audio codec name.
    public var audioCodec: String?
    /// Bits per second.
    public var bitrate: Int?
    /// The container (`mkv`, `mp4`, `webm`, …; see ``MediaContainer``); `nil` when not yet probed
    /// for it.
    public var container: String?
    /// Every video, audio and subtitle stream in index order.
    public var streams: [MediaStreamFacts]

    /// Creates a record from its parts.
    public init(id: String, itemID: String, relativePath: String, url: URL, size: Int64, duration: Double,
                resolution: String?, videoCodec: String?, audioCodec: String?, bitrate: Int?,
                container: String? = nil, streams: [MediaStreamFacts] = []) {
        self.id = id
        self.itemID = itemID
        self.relativePath = relativePath
        self.url = url
        self.size = size
        self.duration = duration
        self.resolution = resolution
        self.videoCodec = videoCodec
        self.audioCodec = audioCodec
        self.bitrate = bitrate
        self.container = container
        self.streams = streams
    }
}

/// Playback progress of one movie or episode (single instance user, shared by all devices).
public struct ProgressRecord: Sendable, Equatable {
    /// Movie or episode id.
    public var itemID: String
    /// Seconds played.
    public var position: Double
    /// Seconds in total as the player reported them.
    public var duration: Double
    /// Explicitly marked, or played past 90 %.
    public var watched: Bool
    /// When the update that produced this state happened.
    public var lastWatchedAt: Date

    /// 0…100.
    public var percentage: Double {
        guard duration > 0 else { return watched ? 100 : 0 }
        return min(100, max(0, position / duration * 100))
    }
}

extension MovieRecord {
    init(row: Row) {
        let genres = (row["genres"] as String?).flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) }
        self.init(id: row["id"], title: row["title"], year: row["year"], overview: row["overview"],
                  genres: genres ?? [], addedAt: Date(timeIntervalSince1970: row["added_at"]))
    }
}

extension ShowRecord {
    init(row: Row) {
        self.init(id: row["id"], title: row["title"], year: row["year"], overview: row["overview"],
                  status: row["status"], addedAt: Date(timeIntervalSince1970: row["added_at"]))
    }
}

extension EpisodeRecord {
    init(row: Row) {
        self.init(id: row["id"], showID: row["show_id"], seasonNumber: row["season_number"],
                  episodeNumber: row["episode_number"], title: row["title"], overview: row["overview"],
                  airDate: row["air_date"], addedAt: Date(timeIntervalSince1970: row["added_at"]))
    }
}

extension MediaFileRecord {
    init(row: Row, root: URL, streams: [MediaStreamFacts] = []) {
        let relative: String = row["relative_path"]
        self.init(id: row["id"], itemID: row["item_id"], relativePath: relative,
                  url: root.appendingPathComponent(relative), size: row["size"], duration: row["duration"],
                  resolution: row["resolution"], videoCodec: row["video_codec"], audioCodec: row["audio_codec"],
                  bitrate: row["bitrate"], container: row["container"], streams: streams)
    }
}

extension ProgressRecord {
    init(row: Row) {
        self.init(itemID: row["item_id"], position: row["position"], duration: row["duration"],
                  watched: row["watched"], lastWatchedAt: Date(timeIntervalSince1970: row["last_watched_at"]))
    }
}
