import Foundation
public import Logging
public import MydiaAPI
public import MydiaConnection

/// One playback: a streaming session on the instance, a fresh local proxy in front of it, and
/// (unless the player is `.none`) the user's mpv fed the proxy URL over IPC. Publishes position,
/// pause, buffering, path, stored progress, the next-episode countdown and the end on ``updates``.
///
/// ```swift
/// let playback = try await Playback.start(api: session.api, manager: session.manager, itemID: id,
///                                         options: .init(player: .mpv(config)), logger: logger)
/// for await update in playback.updates { … }   // ends after `.ended`
/// await playback.stop()                          // from anywhere, any time
/// ```
public actor Playback {
    /// Why a playback could not start; `description` is one sentence for the user.
    public enum Error: Swift.Error, Sendable, CustomStringConvertible {
        /// Neither strategy produced a streaming session.
        case sessionFailed(String)

        public var description: String {
            switch self {
            case .sessionFailed(let why): "The server could not prepare the stream: \(why)"
            }
        }
    }

    /// Every update, in order; finishes after ``PlaybackUpdate/ended(_:)``.
    public nonisolated let updates: AsyncStream<PlaybackUpdate>
    private let continuation: AsyncStream<PlaybackUpdate>.Continuation
    private let api: APIClient
    private let upstream: any MediaUpstream
    /// What the proxy fetches through: `upstream`, holding requests while no path is up and moving
    /// them to a new session when the instance forgot the current one (a restart, §13.73).
    private let renewing: SessionRenewingUpstream
    private let options: PlaybackOptions
    private let logger: Logger
    private let reporter: ProgressReporter

    private var player: MPVPlayer?
    private var proxy: MediaProxy?
    private var streaming: StreamingSession?
    private var item: PlaybackItem?
    private var started: PlaybackStarted?
    private var position = 0.0
    private var duration = 0.0
    private var paused = false
    private var loaded = false
    private var restarted = false
    private var seekPending = false
    private var stopReported = false
    private var lastPublishedPosition = -1.0
    private var lastPath: PathKind??
    private var autoplayCancelled = false
    private var ending = false
    private var end: PlaybackEnd?
    private var endWaiters: [CheckedContinuation<PlaybackEnd, Never>] = []
    private var tasks: [Task<Void, Never>] = []
    private var lastKeepAlive = ContinuousClock.now
    private var watchingPath = false

    /// Resolves `itemID` (movie or episode), starts its streaming session, the proxy and the player;
    /// media goes through `manager`, authorised with `api`'s media token (``ConnectionUpstream``).
    /// - Parameters:
    ///   - api: the open client session's API client.
    ///   - manager: its connection manager.
    /// - Throws: `PlaybackItem.Error`, `Playback.Error`, `MediaProxy.Error`, `MPVPlayer.Error`, API errors.
    public static func start(api: APIClient, manager: ConnectionManager, itemID: String, options: PlaybackOptions,
                             logger: Logger) async throws -> Playback {
        try await start(api: api, upstream: ConnectionUpstream(manager: manager, api: api), itemID: itemID, options: options, logger: logger)
    }

    /// The same over any upstream (tests and benchmarks).
    public static func start(api: APIClient, upstream: any MediaUpstream, itemID: String, options: PlaybackOptions,
                             logger: Logger) async throws -> Playback {
        let item = try await PlaybackItem.resolve(id: itemID, api: api)
        let playback = Playback(api: api, upstream: upstream, options: options, logger: logger)
        do {
            try await playback.begin(item, explicitStart: options.startPosition)
        } catch {
            await playback.finish(.failed("\(error)"))
            throw error
        }
        return playback
    }

    private init(api: APIClient, upstream: any MediaUpstream, options: PlaybackOptions, logger: Logger) {
        (updates, continuation) = AsyncStream<PlaybackUpdate>.makeStream()
        self.api = api
        self.upstream = upstream
        renewing = SessionRenewingUpstream(base: upstream)
        self.options = options
        self.logger = logger
        let continuation = self.continuation
        reporter = ProgressReporter(sink: APIProgressSink(api: api), logger: logger) { continuation.yield(.progressStored($0)) }
    }

    /// The current item's facts (URL, session, start), once started.
    public var current: PlaybackStarted? { started }

    /// The mpv process id, when mpv runs (diagnostics, tests).
    public var playerProcessIdentifier: Int32? { player?.processIdentifier }

    /// Every line sent to mpv over IPC so far.
    public var playerCommands: [String] { player?.sentLines ?? [] }

    /// The proxy's counters for the current item.
    public var proxyStatistics: MediaProxy.Statistics? { proxy?.statistics }

    /// Stops: a final progress report, the streaming session ended, the proxy and mpv closed.
    /// Returns once everything is down (at most a few seconds).
    public func stop() async {
        await finish(.stopped)
    }

    /// Cancels a running next-episode countdown (playback then ends as finished).
    public func cancelAutoplay() {
        autoplayCancelled = true
    }

    /// Pauses or resumes mpv.
    public func setPaused(_ paused: Bool) async throws {
        try await player?.command([.string("set_property"), .string("pause"), .bool(paused)])
    }

    /// Seeks mpv by `seconds` (negative: back).
    public func seek(by seconds: Double) async throws {
        try await player?.command([.string("seek"), .number(seconds), .string("relative")])
    }

    /// Waits for the end.
    public func waitUntilEnded() async -> PlaybackEnd {
        if let end { return end }
        return await withCheckedContinuation { endWaiters.append($0) }
    }

    // MARK: - Items

    private func begin(_ item: PlaybackItem, explicitStart: Double?) async throws {
        guard let file = item.file else { throw PlaybackItem.Error.noFile(item.displayTitle) }
        let start: Double
        if let explicitStart {
            start = max(0, explicitStart)
        } else {
            start = await resumePosition(item)
        }
        let session = try await startSession(fileID: file.id, start: start)
        let proxy = try await MediaProxy.start(upstream: renewing, logger: logger)
        self.item = item
        self.streaming = session
        self.proxy = proxy
        position = start
        duration = session.duration > 0 ? session.duration : file.duration
        loaded = false
        restarted = false
        seekPending = false
        stopReported = false
        lastPublishedPosition = -1
        renewing.use(session: session.sessionId) { [weak self] forgotten in await self?.replaceForgottenSession(forgotten) }
        let url = proxy.hlsURL(session: session.sessionId).absoluteString
        let facts = PlaybackStarted(item: item.reference, title: item.displayTitle, url: url, sessionId: session.sessionId,
                                    startPosition: start, duration: duration)
        started = facts
        logger.notice("playback started", metadata: ["item": "\(item.reference.kind.rawValue) \(item.reference.id)",
                                                      "session": "\(session.sessionId)", "start": "\(start)"])
        if case .mpv(let configuration) = options.player {
            let player: MPVPlayer
            if let running = self.player {
                player = running
            } else {
                player = try await MPVPlayer.launch(configuration, logger: logger)
                self.player = player
                for (index, name) in ["time-pos", "duration", "pause", "paused-for-cache", "eof-reached", "idle-active"].enumerated() {
                    try await player.observe(name, id: index + 1)
                }
                tasks.append(Task { [weak self] in
                    for await event in player.events { await self?.handle(event) }
                })
                tasks.append(Task { [weak self, interval = min(options.progressInterval, options.pausedKeepAlive)] in
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        await self?.tick()
                    }
                })
            }
            try await player.command([.string("set_property"), .string("force-media-title"), .string(item.displayTitle)])
            try await player.command([.string("set_property"), .string("start"), .string(String(format: "%.3f", start))])
            try await player.command([.string("loadfile"), .string(url), .string("replace")])
        }
        if !watchingPath {
            watchingPath = true
            tasks.append(Task { [weak self] in
                while !Task.isCancelled {
                    await self?.publishPath()
                    try? await Task.sleep(for: .seconds(1))
                }
            })
        }
        continuation.yield(.started(facts))
        if case .mpv = options.player {
            await reporter.record(.start, item: item.reference, position: start, duration: duration)
        }
    }

    private func resumePosition(_ item: PlaybackItem) async -> Double {
        guard let progress = item.progress, !progress.watched, progress.positionSeconds > 5,
              progress.durationSeconds <= 0 || progress.positionSeconds < progress.durationSeconds * ProgressReporter.watchedFraction
        else { return 0 }
        switch options.resume {
        case .auto: return progress.positionSeconds
        case .never: return 0
        case .ask(let ask): return await ask(progress.positionSeconds) ? progress.positionSeconds : 0
        }
    }

    /// `startStreamingSession` with the preferred strategy, then TRANSCODE when that fails.
    private func startSession(fileID: String, start: Double) async throws -> StreamingSession {
        do {
            return try await api.startStreamingSession(fileId: fileID, strategy: options.strategy, startPosition: start)
        } catch let first {
            guard options.strategy != .transcode else { throw Error.sessionFailed("\(first)") }
            logger.notice("streaming session failed; trying TRANSCODE", metadata: ["error": "\(first)"])
            do {
                return try await api.startStreamingSession(fileId: fileID, strategy: .transcode, startPosition: start)
            } catch {
                throw Error.sessionFailed("\(error)")
            }
        }
    }

    // MARK: - Player events

    private func handle(_ event: MPVPlayer.Event) async {
        guard !ending, let item else { return }
        switch event {
        case .property(let name, let value):
            switch name {
            case "time-pos":
                guard let seconds = value?.doubleValue, loaded else { return }
                position = seconds
                if abs(seconds - lastPublishedPosition) >= 0.5 {
                    lastPublishedPosition = seconds
                    continuation.yield(.position(seconds: seconds, duration: duration > 0 ? duration : nil))
                }
            case "duration":
                if let seconds = value?.doubleValue, seconds > 0 { duration = seconds }
            case "pause":
                guard let flag = value?.boolValue, flag != paused else { return }
                paused = flag
                if flag { lastKeepAlive = ContinuousClock.now }
                continuation.yield(.paused(flag))
                if flag, loaded { await reporter.record(.pause, item: item.reference, position: position, duration: duration) }
            case "paused-for-cache":
                if let flag = value?.boolValue { continuation.yield(.buffering(flag)) }
            default:
                break
            }
        case .fileLoaded:
            loaded = true
        case .seek:
            if restarted { seekPending = true }
        case .playbackRestart:
            if !restarted {
                restarted = true
            } else if seekPending {
                seekPending = false
                await reporter.record(.seek, item: item.reference, position: position, duration: duration)
            }
        case .endFile(let reason, let error):
            switch reason {
            case "eof":
                await reportStop(at: duration)
                await itemEnded()
            case "error":
                await finish(.failed("mpv could not play the stream (\(error ?? "unknown error"))."))
            case "quit":
                await finish(.stopped)
            default:
                break  // "stop"/"redirect": a loadfile replaced the file
            }
        case .exited(let status):
            await finish(.playerExited(status))
        }
    }

    private var lastPeriodic = ContinuousClock.now

    private func tick() async {
        // After an item's stop report nothing more is reported for it (a next-episode countdown
        // runs with the finished item still current): start → periodic… → stop, in that order.
        guard !ending, loaded, !stopReported, let item else { return }
        let now = ContinuousClock.now
        if paused {
            if now - lastKeepAlive >= options.pausedKeepAlive {
                lastKeepAlive = now
                await keepSessionAlive()
            }
        } else if now - lastPeriodic >= options.progressInterval - .milliseconds(50) {
            lastPeriodic = now
            await reporter.record(.periodic, item: item.reference, position: position, duration: duration)
        }
    }

    /// PROTOCOL.md §12.15: while paused, fetch the playlist every 2 min; a 404 means the instance
    /// dropped the session, so start a new one at the current position and reload it into mpv.
    private func keepSessionAlive() async {
        guard let session = streaming, let proxy, let item, let file = item.file, let player else { return }
        let request = PathRequest(method: "GET", path: "/api/v1/hls/\(session.sessionId)/index.m3u8")
        guard let response = try? await upstream.send(request) else { return }
        do { for try await _ in response.body {} } catch {}
        guard response.status == 404, !ending else { return }
        logger.notice("streaming session expired while paused; starting a new one", metadata: ["position": "\(position)"])
        do {
            let fresh = try await startSession(fileID: file.id, start: position)
            streaming = fresh
            renewing.use(session: fresh.sessionId) { [weak self] forgotten in await self?.replaceForgottenSession(forgotten) }
            let url = proxy.hlsURL(session: fresh.sessionId).absoluteString
            started?.url = url
            started?.sessionId = fresh.sessionId
            started?.startPosition = position
            try await player.command([.string("set_property"), .string("start"), .string(String(format: "%.3f", position))])
            restarted = false
            try await player.command([.string("loadfile"), .string(url), .string("replace")])
            if let started { continuation.yield(.started(started)) }
        } catch {
            logger.warning("could not renew the streaming session", metadata: ["error": "\(error)"])
        }
    }

    /// The proxy got a 404 for the current session's files: when the instance has forgotten the
    /// session (its playlist is gone too), start a new one for the same file and return its id;
    /// the player keeps its URLs (§13.73).
    private func replaceForgottenSession(_ forgotten: String) async -> String? {
        guard !ending, let session = streaming, session.sessionId == forgotten, let file = item?.file else { return nil }
        let check = PathRequest(method: "GET", path: "/api/v1/hls/\(forgotten)/index.m3u8")
        guard let response = try? await upstream.send(check) else { return nil }
        do { for try await _ in response.body {} } catch {}
        guard response.status == 404, !ending else { return nil }
        logger.notice("the server forgot the streaming session (restarted?); continuing on a new one", metadata: ["position": "\(position)"])
        do {
            let fresh = try await startSession(fileID: file.id, start: position)
            guard !ending else { return nil }
            streaming = fresh
            return fresh.sessionId
        } catch {
            logger.warning("could not replace the streaming session", metadata: ["error": "\(error)"])
            return nil
        }
    }

    private func publishPath() async {
        let path = await upstream.currentPath()
        if lastPath != .some(path) {
            lastPath = .some(path)
            continuation.yield(.path(path))
        }
    }

    private func reportStop(at seconds: Double) async {
        guard !stopReported, loaded, let item, case .mpv = options.player else { return }
        stopReported = true
        await reporter.record(.stop, item: item.reference, position: seconds, duration: duration)
    }

    /// The current item played to its end: autoplay the next episode, or finish.
    private func itemEnded() async {
        guard case .episode(let episode)? = item, let countdown = options.autoplayCountdown,
              let next = try? await NextEpisode.after(episode, api: api) else {
            await finish(.finished)
            return
        }
        let title = PlaybackItem.episode(next).displayTitle
        autoplayCancelled = false
        var left = Int(countdown.components.seconds)
        while left > 0 {
            continuation.yield(.nextEpisodeCountdown(title: title, secondsLeft: left))
            try? await Task.sleep(for: .seconds(1))
            if ending { return }
            if autoplayCancelled {
                continuation.yield(.autoplayCancelled)
                await finish(.finished)
                return
            }
            left -= 1
        }
        await closeItem()
        do {
            try await begin(.episode(next), explicitStart: 0)
        } catch {
            await finish(.failed("\(error)"))
        }
    }

    /// Ends the current item's streaming session and proxy (best effort, bounded).
    private func closeItem() async {
        await reporter.flush(timeout: .seconds(5))
        if let session = streaming {
            let api = self.api
            _ = try? await withThrowingTimeout(.seconds(5)) { try await api.endStreamingSession(sessionId: session.sessionId) }
        }
        streaming = nil
        await proxy?.stop()
        proxy = nil
    }

    private func finish(_ result: PlaybackEnd) async {
        guard !ending else {
            if end == nil { _ = await waitUntilEnded() }
            return
        }
        ending = true
        if let player, player.isRunning {
            // Ask mpv where it is before it goes, for the stop report.
            if let seconds = try? await withThrowingTimeout(.seconds(1), { try await player.command([.string("get_property"), .string("time-pos")]) })?.doubleValue {
                position = max(position, seconds)
            }
        }
        await reportStop(at: position)
        await player?.shutdown()
        await closeItem()
        for task in tasks { task.cancel() }
        tasks = []
        logger.notice("playback ended", metadata: ["how": "\(result)"])
        end = result
        continuation.yield(.ended(result))
        continuation.finish()
        let waiters = endWaiters
        endWaiters = []
        for waiter in waiters { waiter.resume(returning: result) }
    }
}
