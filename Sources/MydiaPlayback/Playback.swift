import MydiaSystem
import Foundation
public import Logging
public import MydiaAPI
public import MydiaConnection

/// One playback: the item's file played directly or through a streaming session on the instance
/// (PROTOCOL.md §14.2.6), a fresh local proxy in front of it, and (unless the player is `.none`)
/// the user's mpv fed the proxy URL and the file's subtitle tracks over IPC. Publishes the
/// strategy, position, pause, buffering, path, stored progress, the next-episode countdown and
/// the end on ``updates``.
///
/// ```swift
/// let playback = try await Playback.start(api: session.api, manager: session.manager, itemID: id,
///                                         options: .init(player: .mpv(config)), logger: logger)
/// for await update in playback.updates { … }   // ends after `.ended`
/// await playback.stop()                          // from anywhere, any time
/// ```
///
/// The state (``State``) changes in one place, `handle(_:)`, through a pure transition function
/// (`Playback+State.swift`); every timer runs on the injected clock.
public actor Playback {
    /// Why a playback could not start; `description` is one sentence for the user.
    public enum Error: Swift.Error, Sendable, CustomStringConvertible {
        /// Neither strategy produced a streaming session.
        case sessionFailed(String)
        /// Direct play was forced and the server would not serve the file (its answer).
        case directPlayRefused(String)

        public var description: String {
            switch self {
            case .sessionFailed(let why): "The server could not prepare the stream: \(why)"
            case .directPlayRefused(let why):
                "The server would not serve the file for direct play (\(why)) — try --strategy hls-copy."
            }
        }
    }

    /// Every update, in order; finishes after ``PlaybackUpdate/ended(_:)``.
    public nonisolated let updates: AsyncStream<PlaybackUpdate>
    let continuation: AsyncStream<PlaybackUpdate>.Continuation
    let api: APIClient
    let upstream: any MediaUpstream
    /// What the proxy fetches through: `upstream`, waiting out 503s of media not produced yet
    /// (§14.2.6), holding requests while no path is up and moving them to a new session when the
    /// instance forgot the current one (a restart, §13.44).
    let renewing: SessionRenewingUpstream
    let options: PlaybackOptions
    let rules: Rules
    let logger: Logger
    let reporter: ProgressReporter
    let clock: ManagerClock

    var state = State.starting
    /// mpv, launched for the first item and kept for the next ones.
    var player: MPVPlayer?
    /// The current item, the file played, how (its strategy; the streaming session for HLS), its
    /// proxy and what was published about it.
    var item: PlaybackItem?
    var file: MediaFile?
    var strategy: PlaybackStrategy?
    var streaming: StreamingSession?
    /// Where the current session's stream begins in the media, in seconds (WINDOW sessions only).
    var streamOffset = 0.0
    var proxy: MediaProxy?
    var started: PlaybackStarted?
    var lastPath: PathKind??
    var endWaiters: [CheckedContinuation<PlaybackEnd, Never>] = []
    /// The player's event reader, the report timer and the path watcher; cancelled at the end.
    var tasks: [Task<Void, Never>] = []
    /// Adding the loaded file's subtitle tracks to mpv; replaced by the next file's.
    var subtitleTask: Task<Void, Never>?
    /// mpv starting (launched before the item is resolved, so both proceed at once).
    var playerLaunch: Task<MPVPlayer, any Swift.Error>?
    /// The skip prompt mpv shows now (ask mode).
    var prompt: SkipPrompt?
    /// The next-episode countdown begun in the credits.
    var countdownTask: Task<Void, Never>?
    /// The episode after the current one, once looked up (`after` is the current one's id).
    var upcoming: (after: String, next: Episode?)?
    /// The tracks the current item plays with (asked for, remembered, then changed by the user).
    var trackSelection = TrackSelection()
    /// When mpv first showed a frame (its first `playback-restart`).
    var firstFrame: ContinuousClock.Instant?
    /// The downloaded file played instead of the server's (``LocalMedia``), if any.
    var local: LocalMedia?

    /// Resolves `itemID` (movie or episode), starts its streaming session, the proxy and the player;
    /// media goes through `manager`, authorised with `api`'s media token (``ConnectionUpstream``).
    /// - Parameters:
    ///   - api: the open client session's API client.
    ///   - manager: its connection manager.
    ///   - clock: the clock of the playback's timers (reports, keep-alive, countdown, path watch).
    /// - Throws: `PlaybackItem.Error`, `Playback.Error`, `MediaProxy.Error`, `MPVPlayer.Error`, API errors.
    public static func start(api: APIClient, manager: ConnectionManager, itemID: String, options: PlaybackOptions,
                             logger: Logger, clock: some Clock<Duration> = ContinuousClock()) async throws -> Playback {
        try await start(api: api, upstream: ConnectionUpstream(manager: manager, api: api), itemID: itemID, options: options,
                        logger: logger, clock: clock)
    }

    /// The same over any upstream (tests and benchmarks).
    public static func start(api: APIClient, upstream: any MediaUpstream, itemID: String, options: PlaybackOptions,
                             logger: Logger, clock: some Clock<Duration> = ContinuousClock()) async throws -> Playback {
        let (rejections, rejected) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let playback = Playback(api: api, upstream: LoginWatchUpstream(base: upstream, rejected: rejected), options: options,
                                logger: logger, clock: ManagerClock(clock))
        // Instant start: mpv starts (idle, its IPC socket) while the item is looked up and its
        // delivery set up, not after.
        await playback.launchPlayer()
        let item: PlaybackItem
        do {
            item = try await PlaybackItem.resolve(id: itemID, api: api)
            logger.debug("item resolved")
        } catch {
            await playback.finish(.failed("\(error)"))
            throw error
        }
        // The server stopped accepting this login mid-play (a revoked device): stop cleanly and say
        // "log in again" (§14.2.3); progress already stored stays.
        await playback.watchRejections(rejections)
        try await playback.beginFirst(item)
        return playback
    }

    /// Starts the first item; a failure ends the playback (mpv, the proxy) before it is thrown.
    func beginFirst(_ item: PlaybackItem) async throws {
        do {
            try await begin(item, explicitStart: options.startPosition)
        } catch {
            await finish(.failed("\(error)"))
            throw error
        }
    }

    init(api: APIClient, upstream: any MediaUpstream, options: PlaybackOptions, logger: Logger, clock: ManagerClock) {
        (updates, continuation) = AsyncStream<PlaybackUpdate>.makeStream()
        self.api = api
        self.upstream = upstream
        renewing = SessionRenewingUpstream(base: RetryAfterUpstream(base: upstream, clock: clock), patience: ConnectionPolicy().resumeWait,
                                           retryInterval: .milliseconds(250), clock: clock)
        self.options = options
        rules = Rules(options)
        self.logger = logger
        self.clock = clock
        let continuation = self.continuation
        reporter = ProgressReporter(sink: APIProgressSink(api: api), logger: logger) { continuation.yield(.progressStored($0)) }
    }

    func watchRejections(_ rejections: AsyncStream<Void>) {
        tasks.append(Task { [weak self] in
            for await _ in rejections {
                // Its own task: `finish` cancels this one.
                Task { [weak self] in await self?.finish(.failed(APIClient.Error.loginExpired.description)) }
                return
            }
        })
    }

    /// The current item's facts (URL, strategy, session, start), once started.
    public var current: PlaybackStarted? { started }

    /// The mpv process id, when mpv runs (diagnostics, tests).
    public var playerProcessIdentifier: Int32? { player?.processIdentifier }

    /// Every line sent to mpv over IPC so far.
    public var playerCommands: [String] { player?.sentLines ?? [] }

    /// When mpv showed the first item's first frame (its first `playback-restart`), once it has:
    /// the end of "Enter → first frame" (benchmarks, diagnostics).
    public var firstFrameShown: ContinuousClock.Instant? { firstFrame }

    /// The proxy's counters for the current item.
    public var proxyStatistics: MediaProxy.Statistics? { proxy?.statistics }

    /// Stops: a final progress report, the streaming session ended, the proxy and mpv closed.
    /// Returns once everything is down (at most a few seconds).
    public func stop() async {
        await finish(.stopped)
    }

    /// Cancels a running next-episode countdown (playback then ends as finished).
    public func cancelAutoplay() {
        // The transition has no effects to perform, so this needs no suspension.
        state = Self.transition(state, on: .cancelAutoplay, at: clock.now(), rules: rules).0
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
        if case .ended(let end) = state { return end }
        return await withCheckedContinuation { endWaiters.append($0) }
    }

    // MARK: - State

    /// Applies an event: moves to the next state, then performs the transition's effects in order.
    func handle(_ event: Event) async {
        let (next, effects) = Self.transition(state, on: event, at: clock.now(), rules: rules)
        state = next
        for effect in effects {
            switch effect {
            case .publish(let update):
                continuation.yield(update)
            case .report(let kind, let position, let duration):
                if let item { await reporter.record(kind, item: item.reference, position: position, duration: duration) }
            case .keepSessionAlive:
                await keepSessionAlive()
            case .itemEnded:
                await itemEnded()
            case .fallBackToHLS:
                await fallBackToHLS()
            case .loadSubtitles:
                loadSubtitles()
            case .finish(let result):
                await finish(result)
            case .enterSegment(let segment):
                await enterSegment(segment)
            case .leaveSegment:
                await leaveSegment()
            case .skip(let target):
                await seek(toMedia: target)
            }
        }
    }

    /// Ends the playback: mpv's last position, the stop report, mpv, the item's session and proxy.
    func finish(_ result: PlaybackEnd) async {
        guard !state.isEnding else {
            if case .ended = state { return }
            _ = await waitUntilEnded()
            return
        }
        await handle(.finishing)
        if let player, player.isRunning {
            // Ask mpv where it is before it goes, for the stop report.
            if let seconds = try? await withDeadline(.seconds(1), timedOut: { CancellationError() }, { try await player.command([.string("get_property"), .string("time-pos")]) })?.doubleValue {
                await handle(.finalPosition(seconds))
            }
        }
        await handle(.stop(at: nil))
        if player == nil, let launch = playerLaunch {
            // mpv was still starting when the playback failed: it goes too.
            await (try? await launch.value)?.shutdown()
        }
        await player?.shutdown()
        await closeItem()
        for task in tasks { task.cancel() }
        tasks = []
        logger.notice("playback ended", metadata: ["how": "\(result)"])
        await handle(.ended(result))
        continuation.yield(.ended(result))
        continuation.finish()
        let waiters = endWaiters
        endWaiters = []
        for waiter in waiters { waiter.resume(returning: result) }
    }

    /// Publishes the path media requests take, when it changed.
    func publishPath() async {
        let path = await upstream.currentPath()
        if lastPath != .some(path) {
            lastPath = .some(path)
            continuation.yield(.path(path))
        }
    }
}
