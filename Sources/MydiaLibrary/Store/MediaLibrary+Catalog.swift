import Foundation
import GRDB

/// Catalog queries. Lists come back in display order: movies and shows by accent- and
/// case-insensitive title, episodes by season and number.
extension MediaLibrary {
    /// All movies, sorted by title.
    public func movies() async throws -> [MovieRecord] {
        let records = try await database.queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM movies").map(MovieRecord.init(row:))
        }
        return records.sorted { Self.titleOrder($0.title, $0.id, $1.title, $1.id) }
    }

    /// One movie, or `nil`.
    public func movie(id: String) async throws -> MovieRecord? {
        try await database.queue.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM movies WHERE id = ?", arguments: [id]).map(MovieRecord.init(row:))
        }
    }

    /// All shows, sorted by title.
    public func shows() async throws -> [ShowRecord] {
        let records = try await database.queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM shows").map(ShowRecord.init(row:))
        }
        return records.sorted { Self.titleOrder($0.title, $0.id, $1.title, $1.id) }
    }

    /// One show, or `nil`.
    public func show(id: String) async throws -> ShowRecord? {
        try await database.queue.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM shows WHERE id = ?", arguments: [id]).map(ShowRecord.init(row:))
        }
    }

    /// A show's episodes in order, optionally of one season only.
    public func episodes(showID: String, season: Int? = nil) async throws -> [EpisodeRecord] {
        try await database.queue.read { db in
            let rows: [Row]
            if let season {
                rows = try Row.fetchAll(db, sql: """
                    SELECT * FROM episodes WHERE show_id = ? AND season_number = ?
                    ORDER BY season_number, episode_number
                    """, arguments: [showID, season])
            } else {
                rows = try Row.fetchAll(db, sql: """
                    SELECT * FROM episodes WHERE show_id = ? ORDER BY season_number, episode_number
                    """, arguments: [showID])
            }
            return rows.map(EpisodeRecord.init(row:))
        }
    }

    /// Every episode of every show.
    public func allEpisodes() async throws -> [EpisodeRecord] {
        try await database.queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM episodes ORDER BY show_id, season_number, episode_number")
                .map(EpisodeRecord.init(row:))
        }
    }

    /// One episode, or `nil`.
    public func episode(id: String) async throws -> EpisodeRecord? {
        try await database.queue.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM episodes WHERE id = ?", arguments: [id]).map(EpisodeRecord.init(row:))
        }
    }

    /// The files that play a movie or episode.
    public func files(itemID: String) async throws -> [MediaFileRecord] {
        let root = self.root
        return try await database.queue.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM media_files WHERE item_id = ? ORDER BY relative_path",
                                        arguments: [itemID])
            return try Self.fileRecords(db, rows: rows, root: root)
        }
    }

    /// One file by id (for `/api/v1/stream/file/{file_id}` and streaming sessions), or `nil`.
    public func mediaFile(id: String) async throws -> MediaFileRecord? {
        let root = self.root
        return try await database.queue.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM media_files WHERE id = ?", arguments: [id])
            else { return nil }
            return try Self.fileRecords(db, rows: [row], root: root).first
        }
    }

    /// Most recently added first: movies, and shows dated by their newest episode.
    public func recentlyAdded(limit: Int) async throws -> [LibraryItem] {
        let limit = max(0, limit)
        return try await database.queue.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT 'movie' AS kind, id, added_at FROM movies
                UNION ALL
                SELECT 'show' AS kind, show_id AS id, MAX(added_at) AS added_at FROM episodes GROUP BY show_id
                ORDER BY added_at DESC, id
                LIMIT ?
                """, arguments: [limit])
            return try rows.compactMap { row -> LibraryItem? in
                let id: String = row["id"]
                if (row["kind"] as String) == "movie" {
                    return try Row.fetchOne(db, sql: "SELECT * FROM movies WHERE id = ?", arguments: [id])
                        .map { .movie(MovieRecord(row: $0)) }
                }
                return try Row.fetchOne(db, sql: "SELECT * FROM shows WHERE id = ?", arguments: [id])
                    .map { .show(ShowRecord(row: $0)) }
            }
        }
    }

    static func titleOrder(_ a: String, _ aID: String, _ b: String, _ bID: String) -> Bool {
        let fa = LibraryNames.folded(a), fb = LibraryNames.folded(b)
        return fa != fb ? fa < fb : aID < bID
    }
}

/// A movie, show or episode, for lists that mix them (search, recently added, continue watching).
public enum LibraryItem: Sendable, Equatable {
    /// A movie.
    case movie(MovieRecord)
    /// A show.
    case show(ShowRecord)
    /// An episode.
    case episode(EpisodeRecord)

    /// The item's id.
    public var id: String {
        switch self {
        case .movie(let m): m.id
        case .show(let s): s.id
        case .episode(let e): e.id
        }
    }

    /// The wire `type` (PROTOCOL.md §12.17).
    public var kind: LibraryItemKind {
        switch self {
        case .movie: .movie
        case .show: .show
        case .episode: .episode
        }
    }
}

extension MediaLibrary {
    /// Every file, grouped by the item it plays.
    func filesByItem() async throws -> [String: [MediaFileRecord]] {
        let root = self.root
        return try await database.queue.read { db in
            var map: [String: [MediaFileRecord]] = [:]
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM media_files ORDER BY relative_path")
            for file in try Self.fileRecords(db, rows: rows, root: root, allStreams: true) {
                map[file.itemID, default: []].append(file)
            }
            return map
        }
    }
}
