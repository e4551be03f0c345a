public import Logging
import Foundation

/// The client's connection manager (PROTOCOL.md §8): relay first, direct URLs probed in the
/// background, new requests swapped to direct without interrupting running ones, and a fall back
/// to the relay that re-issues idempotent requests and resumes bodies by `Range`.
///
/// Call `start()`, then `send(_:)` for every API request; watch `snapshots()` for the UI.
///
/// Choices where the spec leaves room (PROTOCOL.md preamble: written down and tested):
/// - Probing starts at `start()` with the stored candidates, in parallel with the first relay
///   connect; a probe that wins before the relay is up goes `connecting → dual → direct`.
/// - A round ends as soon as the most preferred URL that has not failed succeeds.
/// - "Traffic flows" (keepalives) = at least one request or body in flight on the direct path.
///   A keepalive unanswered when the next is due is missed; a transport, TLS, pin or instance
///   failure of a keepalive fails the path at once.
/// - A network change resets the probe backoff; while direct it re-checks the direct URL at once.
/// - "Media streams over the relay" = a `GET` under `/api/v1/hls/` or `/api/v1/stream/` in flight
///   on the relay; a probe already scheduled further out is brought within the 30 s cap.
/// - A cut body with bytes already delivered is resumed only for `GET`, never for playlists
///   (§12.16); other idempotent requests are re-issued only while nothing was delivered.
/// - Requests sent while the first relay connect runs wait for it; while `offline` they fail
///   at once with `Error.offline` (retryable).
/// - LAN-discovered URLs follow the instance's `direct_urls` in preference order.
/// - Relay heartbeats: a tunnel ping every 15 s; one unanswered for 10 s counts as relay loss.
///
/// A direct-only manager (`init(directOnly:…)`, a URL-login server with no relay, PROTOCOL.md
/// §14.2) probes at once; requests wait for the first round; a round that fails everywhere moves
/// to `offline` and requests then fail with `Error.directUnavailable` carrying the probe's
/// verdict (an untrusted certificate names its fix); a later successful round promotes straight
/// to `direct`; a direct failure goes to `offline` and re-probes at once.
public actor ConnectionManager {
    /// `nil` for a direct-only manager.
    let connector: (any RelayConnector)?
    let directPath: any DirectPath
    /// `nil` for a direct-only manager (no handshake can bring a new pin).
    let refreshDirectConfiguration: (@Sendable () async throws -> DirectConfiguration)?
    let policy: ConnectionPolicy
    let clock: ManagerClock
    let random: @Sendable () -> Double
    let logger: Logger

    var state: State = .idle
    var relaySession: (any RelaySession)?
    var announced: DirectConfiguration
    var discovered: [URL] = []
    var candidateRecords: [URL: CandidateRecord] = [:]
    var relayStatistics = PathStatistics()
    var directStatistics = PathStatistics()
    var transitions: [ConnectionTransition] = []
    var subscribers: [Int: AsyncStream<ConnectionSnapshot>.Continuation] = [:]
    var nextSubscriberID = 0
    var stateWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
    var nextWaiterID = 0

    var exchanges: [Int: ExchangeRecord] = [:]
    var nextExchangeID = 0

    var relayTask: Task<Void, Never>?
    var relayConnectedBefore = false
    /// Counts relay sessions: a body cut by the loss of session N continues on a later one (§13.38).
    var relayGeneration = 0
    var nextRelayAttemptAt: Duration?
    /// Why the last relay connect was refused for good (cleared by the next successful one).
    var relayRefusal: (any Swift.Error & Sendable)?
    /// Direct-only: the last failed round's verdict on the most preferred URL (cleared on promotion).
    var directRefusal: ProbeResult?

    var probeRoundTask: Task<Void, Never>?
    /// The first probe round since `start()` has not ended: a request that finds no path waits for
    /// it rather than failing (a LAN without internet: the relay is refused at once, the direct
    /// URL answers a moment later).
    var firstProbeRoundPending = false
    var probeTimerTask: Task<Void, Never>?
    var probeTimerGeneration = 0
    var nextProbeAt: Duration?
    var probeStep = 0
    var reprobeRequested = false

    var keepaliveTask: Task<Void, Never>?
    var hysteresisTask: Task<Void, Never>?
    var nextLinkID = 0

    /// Creates a manager; nothing happens until `start()`.
    /// - Parameters:
    ///   - relay: opens relay sessions (relay WebSocket + handshake).
    ///   - direct: the pinned direct HTTPS path.
    ///   - configuration: the stored `direct_urls` and pinned `cert_fingerprint` (§1).
    ///   - refreshDirectConfiguration: runs a fresh relay handshake and returns the `direct_urls`
    ///     and `cert_fingerprint` it carried (§11.11); called on a pin mismatch before holding a
    ///     URL off (§12.21).
    ///   - policy: timings; the defaults are the spec's.
    ///   - clock: the clock every timer uses.
    ///   - random: a source of uniform values in [0, 1) for the probe jitter.
    ///   - logger: where state changes are logged (never secrets or payloads).
    public init<C: Clock>(
        relay: any RelayConnector,
        direct: any DirectPath,
        configuration: DirectConfiguration,
        refreshDirectConfiguration: @escaping @Sendable () async throws -> DirectConfiguration,
        policy: ConnectionPolicy = ConnectionPolicy(),
        clock: C,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger = Logger(label: "mydia.connection")
    ) where C.Duration == Duration {
        self.connector = relay
        self.directPath = direct
        self.announced = configuration
        self.refreshDirectConfiguration = refreshDirectConfiguration
        self.policy = policy
        self.clock = ManagerClock(clock)
        self.random = random
        self.logger = logger
    }

    /// Creates a manager on the continuous clock.
    public init(
        relay: any RelayConnector,
        direct: any DirectPath,
        configuration: DirectConfiguration,
        refreshDirectConfiguration: @escaping @Sendable () async throws -> DirectConfiguration,
        policy: ConnectionPolicy = ConnectionPolicy(),
        logger: Logger = Logger(label: "mydia.connection")
    ) {
        self.init(
            relay: relay, direct: direct, configuration: configuration,
            refreshDirectConfiguration: refreshDirectConfiguration, policy: policy,
            clock: ContinuousClock(), logger: logger)
    }

    /// Creates a direct-only manager: no relay, the direct path is the only one (a URL-login
    /// server, PROTOCOL.md §14.2). Nothing happens until `start()`.
    /// - Parameters:
    ///   - direct: the direct path; it owns the TLS mode (verified, pinned or plain HTTP).
    ///   - configuration: the server URL(s); `certificateFingerprint` is passed to the path as is
    ///     (`nil` unless the login pinned a certificate).
    ///   - policy: timings; the defaults are the spec's.
    ///   - clock: the clock every timer uses.
    ///   - random: a source of uniform values in [0, 1) for the probe jitter.
    ///   - logger: where state changes are logged (never secrets or payloads).
    public init<C: Clock>(
        directOnly direct: any DirectPath,
        configuration: DirectConfiguration,
        policy: ConnectionPolicy = ConnectionPolicy(),
        clock: C,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger = Logger(label: "mydia.connection")
    ) where C.Duration == Duration {
        self.connector = nil
        self.directPath = direct
        self.announced = configuration
        self.refreshDirectConfiguration = nil
        self.policy = policy
        self.clock = ManagerClock(clock)
        self.random = random
        self.logger = logger
    }

    /// Creates a direct-only manager on the continuous clock.
    public init(directOnly direct: any DirectPath, configuration: DirectConfiguration, policy: ConnectionPolicy = ConnectionPolicy(),
                logger: Logger = Logger(label: "mydia.connection")) {
        self.init(directOnly: direct, configuration: configuration, policy: policy, clock: ContinuousClock(), logger: logger)
    }

    /// Whether this manager has no relay (a URL-login server).
    public nonisolated var isDirectOnly: Bool { connector == nil }

    /// Connects via the relay at once and starts probing the direct candidates (§8.1, §8.2); a
    /// direct-only manager only probes.
    public func start() {
        guard handle(.start, reason: "started") else { return }
        if connector != nil { relayTask = Task { await self.relayLoop() } }
        firstProbeRoundPending = true
        requestProbe(reason: "start")
    }

    /// Stops every timer, closes the relay session and fails later requests with `Error.stopped`.
    public func stop() async {
        guard handle(.stop, reason: "stopped") else { return }
        for task in [relayTask, probeRoundTask, probeTimerTask, keepaliveTask, hysteresisTask] { task?.cancel() }
        relayTask = nil
        probeRoundTask = nil
        probeTimerTask = nil
        keepaliveTask = nil
        hysteresisTask = nil
        nextProbeAt = nil
        nextRelayAttemptAt = nil
        for exchange in exchanges.values { exchange.abortDirect?() }
        let session = relaySession
        relaySession = nil
        relayStatistics.isUp = false
        directStatistics.isUp = false
        publish()
        for continuation in subscribers.values { continuation.finish() }
        subscribers.removeAll()
        await session?.close()
    }

    /// The state now.
    public var currentState: ConnectionState { state.publicState }

    /// The `direct_urls` and pin in use: the stored ones, replaced by what each relay handshake or
    /// refresh carried (§11.11). The layer above persists it.
    public var directConfiguration: DirectConfiguration { announced }

    /// A stream of snapshots: the current one at once, then one on every change (§8.7). Each call
    /// returns an independent stream; a slow reader loses old snapshots, never the newest.
    public func snapshots() -> AsyncStream<ConnectionSnapshot> {
        let (stream, continuation) = AsyncStream.makeStream(of: ConnectionSnapshot.self, bufferingPolicy: .bufferingNewest(256))
        nextSubscriberID += 1
        let id = nextSubscriberID
        subscribers[id] = continuation
        continuation.onTermination = { _ in Task { await self.unsubscribe(id) } }
        continuation.yield(snapshot())
        return stream
    }

    /// The snapshot as of now.
    public func snapshot() -> ConnectionSnapshot {
        var relay = relayStatistics
        relay.inFlight = inFlight(on: .relay)
        var direct = directStatistics
        direct.inFlight = inFlight(on: .direct)
        let link = state.directLink
        return ConnectionSnapshot(
            state: state.publicState,
            activePath: activePath,
            directURL: link?.url,
            relay: relay,
            direct: direct,
            candidates: candidateURLs.map { url in
                let record = candidateRecords[url] ?? CandidateRecord()
                return CandidateStatus(
                    url: url, discovered: !announced.urls.contains(url), lastResult: record.lastResult,
                    lastProbedAt: record.lastProbedAt, heldOffUntil: record.heldOffUntil)
            },
            nextProbeAt: nextProbeAt,
            probeBackoffStep: probeStep,
            nextRelayAttemptAt: nextRelayAttemptAt,
            relayRefusal: relayRefusal.map { String(describing: $0) },
            isDirectOnly: isDirectOnly,
            directRefusal: state.publicState == .offline ? directRefusal?.failureDescription : nil,
            transitions: transitions,
            takenAt: clock.now())
    }

    /// Where a new request goes now.
    var activePath: PathKind? {
        switch state {
        case .dual, .direct: return .direct
        case .relay: return .relay
        case .idle, .connecting, .offline, .stopped: return nil
        }
    }

    /// Candidate URLs in preference order: the instance's `direct_urls`, then LAN-discovered
    /// addresses it did not list (§9).
    var candidateURLs: [URL] {
        announced.urls + discovered.filter { !announced.urls.contains($0) }
    }

    func publish() {
        guard !subscribers.isEmpty else { return }
        let current = snapshot()
        for continuation in subscribers.values { continuation.yield(current) }
    }

    private func unsubscribe(_ id: Int) {
        subscribers[id] = nil
    }

    /// Suspends until the state changes (or the caller is cancelled).
    func waitForStateChange() async {
        nextWaiterID += 1
        let id = nextWaiterID
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled { continuation.resume() } else { stateWaiters[id] = continuation }
            }
        } onCancel: {
            Task { await self.resumeWaiter(id) }
        }
    }

    private func resumeWaiter(_ id: Int) {
        stateWaiters.removeValue(forKey: id)?.resume()
    }

    func resumeStateWaiters() {
        let waiters = stateWaiters
        stateWaiters.removeAll()
        for waiter in waiters.values { waiter.resume() }
    }
}

/// What the manager remembers about one candidate URL.
struct CandidateRecord {
    var lastResult: ProbeResult?
    var lastProbedAt: Duration?
    var heldOffUntil: Duration?
}
