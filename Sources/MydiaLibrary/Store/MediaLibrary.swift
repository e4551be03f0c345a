public import Foundation
import GRDB
public import Logging

/// The catalog: the library folder as scanned into SQLite, plus playback progress.
///
/// `rescan()` is idempotent: files added or removed are reflected, unchanged files keep their ids,
/// their `addedAt` and their probe results (ffprobe runs only for new or modified files).
public final class MediaLibrary: Sendable {
    /// What one rescan did.
    public struct ScanSummary: Sendable, Equatable {
        /// Movies in the catalog after the scan.
        public var movies: Int
        /// Shows in the catalog after the scan.
        public var shows: Int
        /// Episodes in the catalog after the scan.
        public var episodes: Int
        /// Files that ffprobe had to read this time.
        public var probed: Int
        /// Files left out because ffprobe could not read them.
        public var unreadable: Int
    }

    /// The library folder.
    public let root: URL
    /// The shared SQLite state.
    public let database: LibraryDatabase
    let probe: CatalogProbe
    let logger: Logger
    let now: @Sendable () -> Date
    private let scanLock = NSLock()
    /// Chapter segments read so far (`MediaLibrary+Segments.swift`).
    let segmentCache = SegmentCache()

    /// - Parameters:
    ///   - root: the library folder (`Movies/`, `Shows/`).
    ///   - database: the shared state database.
    ///   - probe: how files are probed.
    ///   - now: the clock (injected so tests can order progress updates).
    public init(root: URL, database: LibraryDatabase, probe: CatalogProbe = CatalogProbe(),
                logger: Logger = Logger(label: "mydia.library"), now: @escaping @Sendable () -> Date = { Date() }) {
        self.root = root.standardizedFileURL
        self.database = database
        self.probe = probe
        self.logger = logger
        self.now = now
    }

    /// Scans the folder and brings the catalog in line with it. Runs ffprobe off the cooperative
    /// thread pool; concurrent calls are serialised.
    @discardableResult
    public func rescan() async throws -> ScanSummary {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { [self] in
                continuation.resume(with: Result { try self.rescanBlocking() })
            }
            thread.name = "mydia-library-scan"
            thread.start()
        }
    }

    private func rescanBlocking() throws -> ScanSummary {
        scanLock.lock()
        defer { scanLock.unlock() }
        let scanned = LibraryScanner(root: root, logger: logger).scan()
        typealias Known = (size: Int64, modified: Double, version: Int, probe: CatalogProbe.Facts)
        let known: [String: Known] = try database.queue.read { db in
            var map: [String: Known] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM media_files") {
                let path: String = row["relative_path"]
                let size: Int64 = row["size"]
                let modified: Double = row["modified_at"]
                let version: Int = row["facts_version"]
                map[path] = (size, modified, version, CatalogProbe.Facts(
                    duration: row["duration"], resolution: row["resolution"], videoCodec: row["video_codec"],
                    audioCodec: row["audio_codec"], bitrate: row["bitrate"], container: row["container"]))
            }
            return map
        }
        var probed = 0, unreadable = 0
        /// The facts of `file` and whether they were probed just now (then its streams are saved).
        func probeResult(_ file: ScannedFile) -> (facts: CatalogProbe.Facts, fresh: Bool)? {
            if let old = known[file.relativePath], old.size == file.size, old.modified == file.modifiedAt,
               old.version == CatalogProbe.factsVersion {
                return (old.probe, false)
            }
            do {
                probed += 1
                return (try probe.probe(file.url), true)
            } catch {
                unreadable += 1
                logger.warning("leaving out a file ffprobe cannot read",
                               metadata: ["path": "\(file.relativePath)", "error": "\(error)"])
                return nil
            }
        }
        let movies = scanned.movies.compactMap { m in probeResult(m.file).map { (m, $0) } }
        let shows = scanned.shows.map { show in
            (show, show.episodes.compactMap { e in probeResult(e.file).map { (e, $0) } })
        }.filter { !$0.1.isEmpty }
        let stamp = now().timeIntervalSince1970

        return try database.queue.write { db in
            var fileIDs: [String] = []
            func saveFile(_ file: ScannedFile, item: String, _ result: (facts: CatalogProbe.Facts, fresh: Bool)) throws {
                let id = LibraryNames.fileID(relativePath: file.relativePath)
                let p = result.facts
                fileIDs.append(id)
                try db.execute(sql: """
                    INSERT INTO media_files (id, item_id, relative_path, size, modified_at, duration, resolution,
                        video_codec, audio_codec, bitrate, container, facts_version)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET item_id = excluded.item_id, size = excluded.size,
                        modified_at = excluded.modified_at, duration = excluded.duration,
                        resolution = excluded.resolution, video_codec = excluded.video_codec,
                        audio_codec = excluded.audio_codec, bitrate = excluded.bitrate,
                        container = excluded.container, facts_version = excluded.facts_version
                    """, arguments: [id, item, file.relativePath, file.size, file.modifiedAt, p.duration,
                                     p.resolution, p.videoCodec, p.audioCodec, p.bitrate, p.container,
                                     CatalogProbe.factsVersion])
                if result.fresh { try Self.saveStreams(db, fileID: id, p.streams) }
            }
            for (movie, p) in movies {
                let genres = String(decoding: try JSONEncoder().encode(movie.genres), as: UTF8.self)
                try db.execute(sql: """
                    INSERT INTO movies (id, title, year, overview, genres, added_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET title = excluded.title, year = excluded.year,
                        overview = excluded.overview, genres = excluded.genres
                    """, arguments: [movie.id, movie.title, movie.year, movie.overview, genres, stamp])
                try saveFile(movie.file, item: movie.id, p)
            }
            var episodeIDs: [String] = []
            for (show, episodes) in shows {
                try db.execute(sql: """
                    INSERT INTO shows (id, title, year, overview, status, added_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET title = excluded.title, year = excluded.year,
                        overview = excluded.overview, status = excluded.status
                    """, arguments: [show.id, show.title, show.year, show.overview, show.status, stamp])
                for (episode, p) in episodes {
                    episodeIDs.append(episode.id)
                    try db.execute(sql: """
                        INSERT INTO episodes (id, show_id, season_number, episode_number, title, overview,
                            air_date, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT(id) DO UPDATE SET show_id = excluded.show_id,
                            season_number = excluded.season_number, episode_number = excluded.episode_number,
                            title = excluded.title, overview = excluded.overview, air_date = excluded.air_date
                        """, arguments: [episode.id, show.id, episode.seasonNumber, episode.episodeNumber,
                                         episode.title, episode.overview, episode.airDate, stamp])
                    try saveFile(episode.file, item: episode.id, p)
                }
            }
            try Self.deleteAll(db, table: "media_files", column: "id", except: fileIDs)
            try Self.deleteAll(db, table: "movies", column: "id", except: movies.map(\.0.id))
            try Self.deleteAll(db, table: "episodes", column: "id", except: episodeIDs)
            try Self.deleteAll(db, table: "shows", column: "id", except: shows.map(\.0.id))
            return ScanSummary(
                movies: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM movies") ?? 0,
                shows: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM shows") ?? 0,
                episodes: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM episodes") ?? 0,
                probed: probed, unreadable: unreadable)
        }
    }

    /// Deletes every row of `table` whose `column` is not in `keep`.
    private static func deleteAll(_ db: Database, table: String, column: String, except keep: [String]) throws {
        try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS keep_ids (id TEXT PRIMARY KEY)")
        try db.execute(sql: "DELETE FROM keep_ids")
        for id in Set(keep) { try db.execute(sql: "INSERT INTO keep_ids (id) VALUES (?)", arguments: [id]) }
        try db.execute(sql: "DELETE FROM \(table) WHERE \(column) NOT IN (SELECT id FROM keep_ids)")
        try db.execute(sql: "DELETE FROM keep_ids")
    }
}
