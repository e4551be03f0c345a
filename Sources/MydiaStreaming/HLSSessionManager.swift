public import Foundation
public import Logging
import MydiaCrypto

#if canImport(Glibc)
import Glibc
#endif

/// Owns the server's HLS sessions: one folder and at most one running ffmpeg per session
/// (PROTOCOL.md §7 `startStreamingSession` / `endStreamingSession`, §11.15, §14.4).
///
/// A session starts in a time that does not grow with the file: ``start(fileURL:strategy:startPosition:maxHeight:)``
/// probes the file and reads its keyframe index (cached per file), writes a FULL playlist and
/// starts production at the segment the player starts in — it neither remuxes nor transcodes the
/// whole file first.
/// - HLS_COPY cuts at the source's keyframes (`-c copy`), so the playlist's `#EXTINF`s are exact. A
///   source whose codecs MPEG-TS HLS cannot carry is transcoded instead; a copy that fails on the
///   way goes on as a transcode with the same cuts.
/// - TRANSCODE runs libx264/aac with a keyframe forced at every segment start.
/// - Segments are made ahead of the player and deleted behind it (see `HLSSessionManager+Production`),
///   so a session's disk use is bounded; a request for a segment not made yet waits (up to
///   ``Configuration/segmentWaitTimeout``, then 503 + `retry-after`), and one far from production
///   restarts production there.
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
        public var segmentPollInterval: Duration = .milliseconds(20)
        /// How many segments production runs ahead of the last one asked for before it is frozen.
        public var aheadSegments: Int = 8
        /// How many finished segments behind the last one asked for stay on disk.
        public var behindSegments: Int = 3
        /// How often a session's production is looked after (finished segments registered, ffmpeg
        /// frozen or woken, old segments deleted).
        public var productionInterval: Duration = .milliseconds(100)
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
        /// Where keyframe indices are kept across restarts (a folder of small JSON files, at most
        /// 256); `nil` keeps them in memory only. Worth it for files that must be scanned
        /// (Matroska); an MP4's index is read from its `moov` box in milliseconds anyway.
        public var keyframeIndexFolder: URL? = nil

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
        /// `<root>/<id>`: ffmpeg's log and `runs/<n>/`, one folder per production run.
        let directory: URL
        /// `<root>/<id>/media`: holds the playlist.
        let mediaDirectory: URL
        /// The source file.
        let file: URL
        /// Every segment, listed up front.
        let playlist: HLSPlaylist
        var encoding: SegmentEncoding
        /// The run producing now, if any.
        var run: SegmentRun?
        /// Stopped runs whose folders still hold files.
        var retired: [SegmentRun] = []
        /// Finished segments and where they are.
        var ready: [Int: URL] = [:]
        /// The last segment asked for: where the player is.
        var reader: Int
        /// Runs started so far (names their folders).
        var runCount = 0
        /// A transcode failed: segments not made yet answer 500.
        var failed = false
        var lastAccess: ContinuousClock.Instant
        /// Looks after production until the session ends.
        var supervisor: Task<Void, Never>?

        /// The ffmpeg of the current run, if one is running.
        var producer: FFmpegProcess? { run?.process }
    }

    let configuration: Configuration
    let tools: FFmpegTools
    let logger: Logger
    let now: @Sendable () -> ContinuousClock.Instant
    var sessions: [String: Session] = [:]
    /// Session ids reserved by a `start` still probing or remuxing, counted against the limit.
    var starting: Set<String> = []
    /// Keyframe indices of recently streamed files, by path, size, modification time and inode.
    var keyframeCache: [String: KeyframeIndex] = [:]
    /// Cache keys, oldest first.
    var keyframeCacheOrder: [String] = []
    /// At most this many files' keyframe indices are kept (a 2-hour film's is some 30 KB).
    static let keyframeCacheSize = 32

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
            // The probe and the keyframe scan run side by side; the scan only for a copy.
            let cacheKey = Self.keyframeCacheKey(fileURL)
            let cached = cacheKey.flatMap { keyframeCache[$0] ?? storedKeyframes($0) }
            async let probing = HLSSourceProbe.run(
                tools: tools, file: fileURL, scratch: directory.appendingPathComponent("probe.json"), log: log)
            async let scanning: KeyframeIndex? =
                strategy == .hlsCopy && cached == nil
                ? KeyframeIndex.read(
                    tools: tools, file: fileURL, scratch: directory.appendingPathComponent("keyframes.txt"), log: log,
                    logger: logger)
                : cached
            let probe = try await probing
            let position = startPosition.isFinite ? min(max(0, startPosition), probe.duration) : 0
            let seconds = max(1, configuration.segmentSeconds)

            var plan: (playlist: HLSPlaylist, encoding: SegmentEncoding, strategy: StreamingStrategy, maxHeight: Int?)?
            if strategy == .hlsCopy {
                if !probe.isCopyableToHLS {
                    logger.info("HLS_COPY not possible for these codecs; transcoding", metadata: ["session": "\(id)"])
                } else if probe.videoCodec == nil {
                    // Audio only: every packet is a keyframe, so fixed-length cuts are cuts at keyframes.
                    plan = (HLSPlaylist(duration: probe.duration, segmentLength: seconds, origin: probe.startTime),
                            .copy, .hlsCopy, nil)
                } else if let index = try? await scanning, !index.times.isEmpty {
                    if let cacheKey, cached == nil { remember(index, for: cacheKey) }
                    plan = (HLSPlaylist(keyframes: index.times, origin: min(probe.startTime, index.times[0]),
                                        end: probe.startTime + probe.duration, segmentLength: seconds),
                            .copy, .hlsCopy, nil)
                } else {
                    logger.warning("The keyframe index could not be read; transcoding", metadata: ["session": "\(id)"])
                }
            }
            if plan == nil {
                let ceiling = maxHeight.flatMap { $0 >= 2 ? $0 - $0 % 2 : nil }
                let applied = ceiling.flatMap { limit in (probe.videoHeight ?? 0) > limit ? limit : nil }
                plan = (HLSPlaylist(duration: probe.duration, segmentLength: seconds, origin: probe.startTime),
                        .transcode(maxHeight: applied), .transcode, applied)
            }
            guard let plan else { throw Error.unreadableMedia }
            do {
                try Data(plan.playlist.text.utf8).write(to: media.appendingPathComponent(Self.playlistName), options: .atomic)
            } catch {
                throw Error.storageUnavailable(configuration.root.path)
            }
            let first = plan.playlist.segmentIndex(containing: position)
            var session = Session(
                info: SessionInfo(sessionId: id, duration: probe.duration, startPosition: position, strategy: plan.strategy,
                                  playlistMode: .full, maxHeight: plan.maxHeight),
                directory: directory, mediaDirectory: media, file: fileURL, playlist: plan.playlist, encoding: plan.encoding,
                reader: first, lastAccess: now())
            // Production starts at once where the player will start.
            try startRun(&session, at: first)
            session.supervisor = Task { await self.supervise(id) }
            sessions[id] = session
            logger.info("HLS session started", metadata: ["session": "\(id)", "strategy": "\(plan.strategy.rawValue)"])
            return session.info
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// Ends a session: stops its ffmpeg runs and deletes its folder.
    /// - Returns: `false` if no such session exists.
    @discardableResult
    public func end(sessionId: String) async -> Bool {
        guard let session = sessions.removeValue(forKey: sessionId) else { return false }
        session.supervisor?.cancel()
        for run in session.retired + (session.run.map { [$0] } ?? []) where run.process.exitCode == nil {
            run.reports.release()
            await run.process.stop()
        }
        try? FileManager.default.removeItem(at: session.directory)
        logger.info("HLS session ended", metadata: ["session": "\(sessionId)"])
        return true
    }

    /// Identifies one version of a file: path, size, modification time and inode.
    static func keyframeCacheKey(_ file: URL) -> String? {
        var info = stat()
        guard stat(file.path, &info) == 0 else { return nil }
        return "\(file.path)|\(info.st_size)|\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)|\(info.st_ino)"
    }

    /// The on-disk keyframe indices, if configured.
    var keyframeStore: KeyframeIndexStore? { configuration.keyframeIndexFolder.map { KeyframeIndexStore(folder: $0) } }

    /// The index stored on disk for `key`, if any, kept in memory from now on.
    private func storedKeyframes(_ key: String) -> KeyframeIndex? {
        guard let stored = keyframeStore?.load(key: key) else { return nil }
        remember(stored, for: key, persist: false)
        return stored
    }

    private func remember(_ index: KeyframeIndex, for key: String, persist: Bool = true) {
        if persist, let keyframeStore {
            do { try keyframeStore.save(index, key: key) } catch {
                logger.debug("The keyframe index could not be stored", metadata: ["error": "\(error)"])
            }
        }
        keyframeCache[key] = index
        keyframeCacheOrder.append(key)
        while keyframeCacheOrder.count > Self.keyframeCacheSize {
            keyframeCache[keyframeCacheOrder.removeFirst()] = nil
        }
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
