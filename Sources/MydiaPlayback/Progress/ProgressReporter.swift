public import Foundation
public import Logging

/// Where progress reports go (the instance's progress mutations; a fake in unit tests).
public protocol ProgressSink: Sendable {
    /// Stores one report. Throwing means "not stored, try again later".
    func store(_ report: ProgressReport) async throws
    /// Marks the item watched (the movie mutation; episodes count as watched by position).
    func markWatched(_ item: PlaybackItem.Reference) async throws
}

/// One progress report as sent to the instance.
public struct ProgressReport: Sendable, Hashable {
    /// Why it was sent.
    public enum Kind: String, Sendable, Hashable {
        /// Playback began (at the start position).
        case start
        /// Every ``ProgressReporter/interval`` while playing.
        case periodic
        /// The user paused.
        case pause
        /// A seek finished.
        case seek
        /// Playback ended: stop, quit, end of file, mpv killed, SIGINT/SIGTERM.
        case stop
    }

    /// Why it was sent.
    public var kind: Kind
    /// The item.
    public var item: PlaybackItem.Reference
    /// Seconds.
    public var position: Double
    /// Seconds.
    public var duration: Double
    /// When the position was observed (the queue keeps only the newest report per item, so a
    /// replayed queue never sends an older position after a newer one, PROTOCOL.md §14.1).
    public var observedAt: Date

    /// The position as the wire carries it: whole seconds (§14.1).
    public var wholePosition: Int { Int(position.rounded(.down)) }
    /// The duration as the wire carries it: whole seconds.
    public var wholeDuration: Int { Int(duration.rounded()) }

    /// Creates a report.
    public init(kind: Kind, item: PlaybackItem.Reference, position: Double, duration: Double, observedAt: Date) {
        self.kind = kind
        self.item = item
        self.position = position
        self.duration = duration
        self.observedAt = observedAt
    }
}

/// Sends progress in order through a queue that survives reconnects: a report that cannot be
/// stored stays at the head and is retried with backoff, later ones wait behind it. The queue keeps
/// only the newest waiting report per item (PROTOCOL.md §14.1: without `watchedAt` the order of
/// sending is the order on the server). Positions never move backwards except through a seek.
/// Past 90 % at the stop report the item is marked watched.
public actor ProgressReporter {
    /// How long periodic reports are apart while playing.
    public static let interval: Duration = .seconds(10)
    /// The share of the duration past which the item counts as watched.
    public static let watchedFraction = 0.9

    private let sink: any ProgressSink
    private let logger: Logger
    private let onStored: @Sendable (ProgressReport) -> Void
    private var queue: [ProgressReport] = []
    private var sender: Task<Void, Never>?
    private var lastPosition: Double?
    private var watchedMarked: Set<String> = []
    private let retryDelays: [Duration]
    /// The wait before the next attempt of a failing report (`flush` ends it early).
    private var retryWait: Task<Void, Never>?
    /// Attempts are numbered as they start; `flush` stops at a failed one that started after it began.
    private var nextAttempt = 0
    private var lastFailedAttempt = -1

    /// - Parameters:
    ///   - sink: where reports go.
    ///   - retryDelays: waits between attempts of a failing report (the last one repeats).
    ///   - onStored: called for each report the sink accepted, in order.
    public init(sink: any ProgressSink, logger: Logger, retryDelays: [Duration] = [.seconds(1), .seconds(2), .seconds(5), .seconds(10)],
                onStored: @escaping @Sendable (ProgressReport) -> Void = { _ in }) {
        self.sink = sink
        self.logger = logger
        self.retryDelays = retryDelays.isEmpty ? [.seconds(1)] : retryDelays
        self.onStored = onStored
    }

    /// Queues a report. A position behind the last one is raised to it unless `kind` is `.seek`
    /// or `.start` (a new item).
    public func record(_ kind: ProgressReport.Kind, item: PlaybackItem.Reference, position: Double, duration: Double) {
        guard position.isFinite, duration.isFinite, duration > 0 else { return }
        var position = min(max(0, position), duration)
        if kind == .seek || kind == .start {
            lastPosition = position
        } else if let last = lastPosition, position < last {
            position = last
        }
        lastPosition = position
        var report = ProgressReport(kind: kind, item: item, position: position, duration: duration, observedAt: Date())
        // The head may be in flight; a waiting report of the same item is replaced by this newer
        // one. A replaced stop report keeps its kind, so the item is still marked watched.
        if let waiting = queue.indices.dropFirst().last(where: { queue[$0].item == item }) {
            if queue[waiting].kind == .stop { report.kind = .stop }
            queue.remove(at: waiting)
        }
        queue.append(report)
        startSending()
    }

    /// Tries the queued reports at once (a retry wait ends early) and waits until every one was
    /// stored, an attempt made after the call failed (offline: waiting longer would not help, and
    /// the caller keeps ``pending``), or `timeout` passed. - Returns: whether the queue drained.
    @discardableResult
    public func flush(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        let firstAttempt = nextAttempt
        retryWait?.cancel()
        while !queue.isEmpty, lastFailedAttempt < firstAttempt, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return queue.isEmpty
    }

    /// Reports still waiting to be stored.
    public var pending: [ProgressReport] { queue }

    private func startSending() {
        guard sender == nil else { return }
        sender = Task { await self.drain() }
    }

    private func drain() async {
        var failures = 0
        while let report = queue.first {
            let attempt = nextAttempt
            nextAttempt += 1
            do {
                try await sink.store(report)
                if report.kind == .stop, report.position >= report.duration * Self.watchedFraction,
                   !watchedMarked.contains(report.item.id) {
                    try await sink.markWatched(report.item)
                    watchedMarked.insert(report.item.id)
                }
                queue.removeFirst()
                failures = 0
                onStored(report)
            } catch {
                failures += 1
                lastFailedAttempt = attempt
                let delay = retryDelays[min(failures, retryDelays.count) - 1]
                logger.info("progress report not stored; queued for retry", metadata: ["error": "\(error)", "attempt": "\(failures)"])
                let wait = Task { _ = try? await Task.sleep(for: delay) }
                retryWait = wait
                await wait.value
                retryWait = nil
            }
        }
        sender = nil
    }
}
