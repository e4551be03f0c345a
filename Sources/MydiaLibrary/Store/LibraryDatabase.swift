public import Foundation
public import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// The server's SQLite state at `<state-dir>/mydia.sqlite`: catalog, progress, devices and tokens.
///
/// One `DatabaseQueue` serialises every access; schema changes are GRDB migrations.
public final class LibraryDatabase: Sendable {
    /// The queue every store shares.
    public let queue: DatabaseQueue

    /// Opens (creating if needed) `<stateDirectory>/mydia.sqlite` and migrates it.
    public convenience init(stateDirectory: URL) throws {
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let path = stateDirectory.appendingPathComponent("mydia.sqlite").path
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        // `mydia-server user …` writes while the server may be running: wait for its lock.
        configuration.busyMode = .timeout(5)
        try self.init(queue: DatabaseQueue(path: path, configuration: configuration))
        // Password hashes and TOTP secrets live here; SQLite gives its journal the same mode.
        chmod(path, 0o600)
    }

    /// An in-memory database (tests, tools).
    public static func inMemory() throws -> LibraryDatabase {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        return try LibraryDatabase(queue: DatabaseQueue(configuration: configuration))
    }

    private init(queue: DatabaseQueue) throws {
        self.queue = queue
        try Self.migrator.migrate(queue)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-catalog") { db in
            try db.execute(sql: """
                CREATE TABLE movies (
                    id TEXT PRIMARY KEY NOT NULL,
                    title TEXT NOT NULL,
                    year INTEGER,
                    overview TEXT,
                    genres TEXT NOT NULL DEFAULT '[]',
                    added_at DOUBLE NOT NULL
                );
                CREATE TABLE shows (
                    id TEXT PRIMARY KEY NOT NULL,
                    title TEXT NOT NULL,
                    year INTEGER,
                    overview TEXT,
                    status TEXT,
                    added_at DOUBLE NOT NULL
                );
                CREATE TABLE episodes (
                    id TEXT PRIMARY KEY NOT NULL,
                    show_id TEXT NOT NULL REFERENCES shows(id) ON DELETE CASCADE,
                    season_number INTEGER NOT NULL,
                    episode_number INTEGER NOT NULL,
                    title TEXT NOT NULL,
                    overview TEXT,
                    air_date TEXT,
                    added_at DOUBLE NOT NULL
                );
                CREATE INDEX episodes_by_show ON episodes(show_id, season_number, episode_number);
                CREATE TABLE media_files (
                    id TEXT PRIMARY KEY NOT NULL,
                    item_id TEXT NOT NULL,
                    relative_path TEXT NOT NULL UNIQUE,
                    size INTEGER NOT NULL,
                    modified_at DOUBLE NOT NULL,
                    duration DOUBLE NOT NULL,
                    resolution TEXT,
                    video_codec TEXT,
                    audio_codec TEXT,
                    bitrate INTEGER
                );
                CREATE INDEX media_files_by_item ON media_files(item_id);
                CREATE TABLE progress (
                    item_id TEXT PRIMARY KEY NOT NULL,
                    position DOUBLE NOT NULL,
                    duration DOUBLE NOT NULL,
                    watched BOOLEAN NOT NULL,
                    last_watched_at DOUBLE NOT NULL
                );
                """)
        }
        migrator.registerMigration("v1-devices") { db in
            try db.execute(sql: """
                CREATE TABLE devices (
                    device_id TEXT PRIMARY KEY NOT NULL,
                    device_name TEXT NOT NULL,
                    platform TEXT NOT NULL,
                    public_key BLOB NOT NULL,
                    token_hash BLOB NOT NULL,
                    created_at DOUBLE NOT NULL,
                    last_seen_at DOUBLE NOT NULL,
                    revoked BOOLEAN NOT NULL DEFAULT 0
                );
                CREATE TABLE tokens (
                    token_hash BLOB PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL,
                    device_id TEXT NOT NULL REFERENCES devices(device_id) ON DELETE CASCADE,
                    expires_at DOUBLE NOT NULL
                );
                CREATE INDEX tokens_by_device ON tokens(device_id);
                """)
        }
        // Every token issue deletes the rows that expired long ago (DeviceStore.issueToken).
        migrator.registerMigration("v2-tokens-by-expiry") { db in
            try db.execute(sql: "CREATE INDEX tokens_by_expiry ON tokens(expires_at)")
        }
        // The media side of stock Mydia (PROTOCOL.md §14.1): each file's container and streams.
        // Rows probed before this have facts_version 0, so the next scan probes them again
        // (MediaLibrary.rescan, CatalogProbe.factsVersion).
        migrator.registerMigration("v3-media-streams") { db in
            try db.execute(sql: """
                ALTER TABLE media_files ADD COLUMN container TEXT;
                ALTER TABLE media_files ADD COLUMN facts_version INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE media_streams (
                    file_id TEXT NOT NULL REFERENCES media_files(id) ON DELETE CASCADE,
                    stream_index INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    codec TEXT,
                    profile TEXT,
                    level INTEGER,
                    language TEXT,
                    title TEXT,
                    is_default BOOLEAN NOT NULL,
                    is_forced BOOLEAN NOT NULL,
                    is_hearing_impaired BOOLEAN NOT NULL,
                    is_commentary BOOLEAN NOT NULL,
                    width INTEGER,
                    height INTEGER,
                    channels INTEGER,
                    PRIMARY KEY (file_id, stream_index)
                );
                """)
        }
        // Local users and URL login (PROTOCOL.md §14.3). A login device is a row of `devices` with
        // its user and the client's own `deviceId`; it has no Noise key and no device token, so it
        // keeps the NOT NULL columns as empty blobs that no key or token hash can equal.
        migrator.registerMigration("v4-users") { db in
            try db.execute(sql: """
                CREATE TABLE users (
                    id TEXT PRIMARY KEY NOT NULL,
                    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
                    password_hash TEXT NOT NULL,
                    totp_secret BLOB,
                    totp_last_step INTEGER,
                    created_at DOUBLE NOT NULL
                );
                CREATE TABLE recovery_codes (
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    code_hash BLOB NOT NULL,
                    PRIMARY KEY (user_id, code_hash)
                );
                ALTER TABLE devices ADD COLUMN user_id TEXT REFERENCES users(id) ON DELETE SET NULL;
                ALTER TABLE devices ADD COLUMN client_device_id TEXT;
                CREATE UNIQUE INDEX devices_by_login ON devices(user_id, client_device_id);
                """)
        }
        return migrator
    }
}
