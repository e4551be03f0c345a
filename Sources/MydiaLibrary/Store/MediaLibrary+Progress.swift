public import Foundation
import GRDB

/// Playback progress: one instance user, shared by all of that user's devices (PROTOCOL.md §12.17).
///
/// Rules: an update dated before the stored `lastWatchedAt` is ignored (the stored state is
/// returned); a `watchedAt` in the future counts as now; past 90 % counts as watched; `watched`
/// stays set until `setWatched(false)` clears it.
extension MediaLibrary {
    /// Why a progress update was refused.
    public enum ProgressError: Swift.Error, Equatable, CustomStringConvertible {
        /// No movie or episode has this id.
        case itemNotFound(String)
        /// A position or duration that is negative or not a number.
        case invalidValue(String)

        /// One plain sentence.
        public var description: String {
            switch self {
            case .itemNotFound(let id): "No movie or episode has the id \(id)."
            case .invalidValue(let what): "Invalid progress: \(what)."
            }
        }
    }

    /// Fraction of the duration past which an item counts as watched.
    public static let watchedThreshold = 0.9

    /// Stored progress of one item, or `nil`.
    public func progress(itemID: String) async throws -> ProgressRecord? {
        try await database.queue.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM progress WHERE item_id = ?", arguments: [itemID])
                .map(ProgressRecord.init(row:))
        }
    }

    /// Records a playback position.
    /// - Parameters:
    ///   - itemID: a movie or episode id.
    ///   - position: seconds played (finite, ≥ 0).
    ///   - duration: seconds in total (finite, ≥ 0).
    ///   - watchedAt: when the player was at `position`; `nil` = now.
    /// - Returns: the stored progress (unchanged when the update was older than it).
    public func updateProgress(itemID: String, position: Double, duration: Double,
                               watchedAt: Date? = nil) async throws -> ProgressRecord {
        guard position.isFinite, position >= 0 else { throw ProgressError.invalidValue("position must be a number ≥ 0") }
        guard duration.isFinite, duration >= 0 else { throw ProgressError.invalidValue("duration must be a number ≥ 0") }
        // A time in the future (a device with a wrong clock) counts as now, or it would shadow
        // every later update from the other devices.
        let at = min(watchedAt ?? now(), now()).timeIntervalSince1970
        return try await database.queue.write { db in
            try Self.requireItem(db, itemID)
            let stored = try Row.fetchOne(db, sql: "SELECT * FROM progress WHERE item_id = ?", arguments: [itemID])
                .map(ProgressRecord.init(row:))
            if let stored, stored.lastWatchedAt.timeIntervalSince1970 > at { return stored }
            let clamped = duration > 0 ? min(position, duration) : position
            let reached = duration > 0 && clamped / duration >= Self.watchedThreshold
            let record = ProgressRecord(itemID: itemID, position: clamped, duration: duration,
                                        watched: reached || (stored?.watched ?? false),
                                        lastWatchedAt: Date(timeIntervalSince1970: at))
            try Self.save(db, record)
            return record
        }
    }

    /// Marks an item watched (position = its duration) or unwatched (position 0).
    public func setWatched(itemID: String, watched: Bool, at date: Date? = nil) async throws -> ProgressRecord {
        let at = min(date ?? now(), now()).timeIntervalSince1970
        return try await database.queue.write { db in
            try Self.requireItem(db, itemID)
            let stored = try Row.fetchOne(db, sql: "SELECT * FROM progress WHERE item_id = ?", arguments: [itemID])
                .map(ProgressRecord.init(row:))
            if let stored, stored.lastWatchedAt.timeIntervalSince1970 > at { return stored }
            var duration = stored?.duration ?? 0
            if duration <= 0 {
                duration = try Double.fetchOne(db, sql: "SELECT MAX(duration) FROM media_files WHERE item_id = ?",
                                               arguments: [itemID]) ?? 0
            }
            let record = ProgressRecord(itemID: itemID, position: watched ? duration : 0, duration: duration,
                                        watched: watched, lastWatchedAt: Date(timeIntervalSince1970: at))
            try Self.save(db, record)
            return record
        }
    }

    /// Items started and not finished, most recently watched first.
    public func continueWatching(limit: Int) async throws -> [(item: LibraryItem, progress: ProgressRecord)] {
        let limit = max(0, limit)
        return try await database.queue.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM progress WHERE watched = 0 AND position > 0
                AND (item_id IN (SELECT id FROM movies) OR item_id IN (SELECT id FROM episodes))
                ORDER BY last_watched_at DESC, item_id LIMIT ?
                """, arguments: [limit])
            return try rows.compactMap { row -> (item: LibraryItem, progress: ProgressRecord)? in
                let progress = ProgressRecord(row: row)
                if let m = try Row.fetchOne(db, sql: "SELECT * FROM movies WHERE id = ?", arguments: [progress.itemID]) {
                    return (LibraryItem.movie(MovieRecord(row: m)), progress)
                }
                if let e = try Row.fetchOne(db, sql: "SELECT * FROM episodes WHERE id = ?", arguments: [progress.itemID]) {
                    return (LibraryItem.episode(EpisodeRecord(row: e)), progress)
                }
                return nil
            }
        }
    }

    /// Progress of many items at once.
    func progressMap() async throws -> [String: ProgressRecord] {
        try await database.queue.read { db in
            var map: [String: ProgressRecord] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM progress") {
                let p = ProgressRecord(row: row)
                map[p.itemID] = p
            }
            return map
        }
    }

    private static func requireItem(_ db: Database, _ id: String) throws {
        let exists = try Bool.fetchOne(db, sql: """
            SELECT EXISTS(SELECT 1 FROM movies WHERE id = ?) OR EXISTS(SELECT 1 FROM episodes WHERE id = ?)
            """, arguments: [id, id]) ?? false
        guard exists else { throw ProgressError.itemNotFound(id) }
    }

    private static func save(_ db: Database, _ p: ProgressRecord) throws {
        try db.execute(sql: """
            INSERT INTO progress (item_id, position, duration, watched, last_watched_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(item_id) DO UPDATE SET position = excluded.position, duration = excluded.duration,
                watched = excluded.watched, last_watched_at = excluded.last_watched_at
            """, arguments: [p.itemID, p.position, p.duration, p.watched, p.lastWatchedAt.timeIntervalSince1970])
    }
}
