public import Foundation
public import Logging
import MydiaCrypto

/// Owns the server's HLS sessions: one folder and at most one ffmpeg per session
/// (PROTOCOL.md §7 `startStreamingSession` / `endStreamingSession`, §12.15).
///
/// - HLS_COPY remuxes with `-c copy` and finishes before ``start(fileURL:strategy:startPosition:)``
///   returns, so the playlist is complete. A source whose codecs MPEG-TS HLS cannot carry, or a
///   remux that fails, falls back to TRANSCODE.
/// - TRANSCODE runs libx264/aac in the background; the playlist lists every segment at once and a
///   request for a segment not yet produced waits for it (see ``response(sessionId:path:method:headers:)``).
///
/// Sessions nobody has requested anything from for ``Configuration/idleTimeout`` are ended by
/// ``reapIdleSessions()``, which ``run()`` calls periodically.
public actor HLSSessionManager {
    /// Tunables. Defaults follow PROTOCOL.md §12.15.
    public struct Configuration: Sendable {
        /// The folder that holds one sub-folder per session. Created (0700) if missing.
        public var root: URL
        /// Target segment length in seconds (`-hls_time`); values below 1 count as 1.
        public var segmentSeconds: Int = 4
        /// How long a request for a segment not yet transcoded waits before answering 503.
        public var segmentWaitTimeout: Duration = .seconds(30)
        /// How often a waiting request checks whether its segment has appeared.
        public var segmentPollInterval: Duration = .milliseconds(100)
        /// The `retry-after` seconds sent with that 503 (PROTOCOL.md §14.2.6: the client waits and
        /// asks again, for up to 30 s).
        public var retryAfterSeconds: Int = 1
        /// A session with no request for this long is ended.
        public var idleTimeout: Duration = .seconds(600)
        /// How often ``HLSSessionManager/run()`` looks for idle sessions.
        public var reapInterval: Duration = .seconds(30)
        /// At most this many sessions exist at once.
        public var maxSessions: Int = 8
        /// libx264 preset for TRANSCODE. `veryfast` keeps 1080p above real time on small servers.
        public var transcodePreset: String = "veryfast"
        /// libx264 constant rate factor for TRANSCODE.
        public var transcodeCRF: Int = 23
        /// Caps ffmpeg's input read rate for TRANSCODE (`-readrate`, multiples of real time), so a
        /// transcode does not take every core; `nil` = as fast as possible.
        public var transcodeReadRate: Double? = nil
        /// Largest body chunk read from disk per iteration.
        public var chunkSize: Int = FileBody.defaultChunkSize

        /// Configuration with defaults, keeping sessions under `root`.
        public init(root: URL) { self.root = root }
    }

    /// Why a session could not start.
    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        /// The source file does not exist or is not a regular file.
        case fileNotFound
        /// ffprobe could not read the source.
        case unreadableMedia
        /// The source has no known duration, so no playlist can be written.
        case unknownDuration
        /// ``Configuration/maxSessions`` are already running.
        case tooManySessions
        /// The session folder could not be created.
        case storageUnavailable(String)
        /// ffmpeg could not be started.
        case ffmpegLaunchFailed(String)

        /// One plain sentence saying what happened and what to do.
        public var description: String {
            switch self {
            case .fileNotFound: "The media file does not exist — rescan the library."
            case .unreadableMedia: "ffprobe could not read the media file — it may be damaged or not a media file."
            case .unknownDuration: "The media file has no known duration, so it cannot be streamed as HLS."
            case .tooManySessions: "Too many streaming sessions are running — end one and try again."
            case .storageUnavailable(let path): "The streaming folder \(path) cannot be written — check its permissions and free space."
            case .ffmpegLaunchFailed(let reason): "ffmpeg could not be started (\(reason)) — check the ffmpeg installation."
            }
        }
    }

    /// What ``start(fileURL:strategy:startPosition:)`` answers (PROTOCOL.md §7 `StreamingSession`).
    public struct SessionInfo: Sendable, Equatable {
        /// Random, URL-safe session id (32 lowercase hex characters).
        public let sessionId: String
        /// Media duration in seconds.
        public let duration: Double
        /// Where the player starts, in seconds; the playlist always starts at media time 0.
        public let startPosition: Double
        /// The strategy actually used (HLS_COPY falls back to TRANSCODE).
        public let strategy: StreamingStrategy
        /// What the playlist covers. Both strategies serve ``PlaylistMode/full``: the whole file
        /// from media time 0 (so `StreamingSessionResult.startPosition` is 0 and the player seeks to
        /// ``startPosition`` itself).
        public let playlistMode: PlaylistMode
        /// The output height ceiling applied (`StreamingSessionResult.maxHeight`): set only when a
        /// TRANSCODE scaled a taller source down; `nil` = the source's resolution is kept.
        public let maxHeight: Int?

        /// Creates session facts from their parts.
        public init(sessionId: String, duration: Double, startPosition: Double, strategy: StreamingStrategy,
                    playlistMode: PlaylistMode = .full, maxHeight: Int? = nil) {
            self.sessionId = sessionId
            self.duration = duration
            self.startPosition = startPosition
            self.strategy = strategy
            self.playlistMode = playlistMode
            self.maxHeight = maxHeight
        }
    }

    struct Session {
        let info: SessionInfo
        /// `<root>/<id>`: holds ffmpeg's log and, for TRANSCODE, ffmpeg's own playlist.
        let directory: URL
        /// `<root>/<id>/media`: the only folder requests can reach.
        let mediaDirectory: URL
        /// The TRANSCODE ffmpeg; `nil` for a finished remux.
        let transcoder: FFmpegProcess?
        /// The playlist listed ahead of production (TRANSCODE only).
        let playlist: HLSPlaylist?
        var lastAccess: ContinuousClock.Instant
    }

    let configuration: Configuration
    let tools: FFmpegTools
    let logger: Logger
    let now: @Sendable () -> ContinuousClock.Instant
    var sessions: [String: Session] = [:]
    /// Session ids reserved by a `start` still probing or remuxing, counted against the limit.
    var starting: Set<String> = []

    /// The name of the playlist every session serves.
    public static let playlistName = "index.m3u8"

    /// Creates a manager.
    /// - Parameters:
    ///   - configuration: folders and limits.
    ///   - tools: the ffmpeg and ffprobe to run (see ``FFmpegTools/locate(ffmpegPath:searchPath:)``).
    ///   - logger: receives session events; never paths with secrets, never media bytes.
    ///   - now: the clock used for idle reaping (injectable for tests).
    public init(
        configuration: Configuration, tools: FFmpegTools, logger: Logger = Logger(label: "mydia.streaming"),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.configuration = configuration
        self.tools = tools
        self.logger = logger
        self.now = now
    }

    /// The number of live sessions.
    public var sessionCount: Int { sessions.count }

    /// Starts a session for `fileURL`.
    /// - Parameters:
    ///   - strategy: HLS_COPY (remux, complete before returning) or TRANSCODE (background).
    ///   - startPosition: recorded and returned; the playlist still starts at media time 0.
    ///   - maxHeight: an output height ceiling (`startStreamingSession(maxHeight:)`): a TRANSCODE of a
    ///     taller source is scaled down to it (rounded down to even); a copy cannot scale and keeps
    ///     the source's height. Values below 2 mean no ceiling. ``SessionInfo/maxHeight`` says
    ///     whether it was applied.
    /// - Throws: ``Error``.
    public func start(fileURL: URL, strategy: StreamingStrategy, startPosition: Double = 0,
                      maxHeight: Int? = nil) async throws -> SessionInfo {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: fileURL.path, isDirectory: &isDirectory), !isDirectory.boolValue
        else { throw Error.fileNotFound }
        guard sessions.count + starting.count < configuration.maxSessions else { throw Error.tooManySessions }

        let id = Encoding.hex(SecretBytes.random(count: 16).exposedCopy())
        starting.insert(id)
        defer { starting.remove(id) }
        let directory = configuration.root.appendingPathComponent(id, isDirectory: true)
        let media = directory.appendingPathComponent("media", isDirectory: true)
        do {
            try createPrivateDirectory(configuration.root)
            try createPrivateDirectory(directory)
            try createPrivateDirectory(media)
        } catch {
            throw Error.storageUnavailable(configuration.root.path)
        }
        let log = directory.appendingPathComponent("ffmpeg.log")

        do {
            let probe = try await HLSSourceProbe.run(
                tools: tools, file: fileURL, scratch: directory.appendingPathComponent("probe.json"), log: log)
            let position = startPosition.isFinite ? min(max(0, startPosition), probe.duration) : 0
            var session: Session?
            if strategy == .hlsCopy {
                if probe.isCopyableToHLS {
                    session = try await remux(id: id, file: fileURL, probe: probe, start: position, directory: directory, media: media, log: log)
                } else {
                    logger.info("HLS_COPY not possible for these codecs; transcoding", metadata: ["session": "\(id)"])
                }
            }
            if session == nil {
                let ceiling = maxHeight.flatMap { $0 >= 2 ? $0 - $0 % 2 : nil }
                let applied = ceiling.flatMap { limit in (probe.videoHeight ?? 0) > limit ? limit : nil }
                session = try transcode(id: id, file: fileURL, probe: probe, start: position, maxHeight: applied,
                                        directory: directory, media: media, log: log)
            }
            guard let session else { throw Error.unreadableMedia }
            sessions[id] = session
            logger.info("HLS session started", metadata: ["session": "\(id)", "strategy": "\(session.info.strategy.rawValue)"])
            return session.info
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// Ends a session: stops its ffmpeg and deletes its folder.
    /// - Returns: `false` if no such session exists.
    @discardableResult
    public func end(sessionId: String) async -> Bool {
        guard let session = sessions.removeValue(forKey: sessionId) else { return false }
        await session.transcoder?.stop()
        try? FileManager.default.removeItem(at: session.directory)
        logger.info("HLS session ended", metadata: ["session": "\(sessionId)"])
        return true
    }

    /// Ends every session (server shutdown).
    public func endAll() async {
        for id in Array(sessions.keys) { await end(sessionId: id) }
    }

    /// Ends the sessions idle for longer than ``Configuration/idleTimeout``.
    /// - Returns: how many were ended.
    @discardableResult
    public func reapIdleSessions() async -> Int {
        let cutoff = now()
        let idle = sessions.filter { cutoff - $0.value.lastAccess > configuration.idleTimeout }.map(\.key)
        for id in idle {
            logger.info("Ending idle HLS session", metadata: ["session": "\(id)"])
            await end(sessionId: id)
        }
        return idle.count
    }

    /// Deletes session folders under the root that belong to no live session — left behind by a
    /// previous server run that did not shut down cleanly. Only folders named like a session id
    /// (32 lowercase hex characters) are touched.
    /// - Returns: how many folders were removed.
    @discardableResult
    public func removeOrphanedSessionFolders() -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: configuration.root.path)) ?? []
        var removed = 0
        for name in names where Self.isSessionId(name) && sessions[name] == nil && !starting.contains(name) {
            if (try? FileManager.default.removeItem(at: configuration.root.appendingPathComponent(name))) != nil {
                removed += 1
            }
        }
        return removed
    }

    static func isSessionId(_ name: String) -> Bool {
        name.utf8.count == 32 && name.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// Removes orphaned session folders, then reaps idle sessions every
    /// ``Configuration/reapInterval`` until the calling task is cancelled, then ends all sessions.
    /// Run it for the server's lifetime.
    public func run() async {
        removeOrphanedSessionFolders()
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: configuration.reapInterval)
            } catch {
                break
            }
            await reapIdleSessions()
        }
        await endAll()
    }

    private func createPrivateDirectory(_ url: URL) throws {
        try FileManager.default.createDirectory(
            at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }
}
