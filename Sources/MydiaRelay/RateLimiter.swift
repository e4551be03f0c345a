import Synchronization

/// Fixed-window request counters keyed by string (client IP, route). Thread-safe.
final class RateLimiter: Sendable {
    /// What ``acquire(_:)`` decided.
    enum Decision: Equatable {
        case allowed
        /// Refused; try again after this many whole seconds (≥ 1).
        case limited(retryAfterSeconds: Int)
    }

    private struct Window {
        var start: ContinuousClock.Instant
        var count: Int
    }

    private let limit: Int
    private let window: Duration
    private let clock: RelayClock
    private let windows = Mutex([String: Window]())

    init(limit: Int, window: Duration, clock: RelayClock) {
        self.limit = limit
        self.window = window
        self.clock = clock
    }

    /// Counts one request for `key`.
    func acquire(_ key: String) -> Decision {
        let now = clock.now()
        return windows.withLock { w in
            var entry = w[key] ?? Window(start: now, count: 0)
            if now - entry.start >= window { entry = Window(start: now, count: 0) }
            guard entry.count < limit else {
                let remaining = window - (now - entry.start)
                let seconds = Int((Double(remaining.components.seconds) + Double(remaining.components.attoseconds) / 1e18).rounded(.up))
                return .limited(retryAfterSeconds: max(1, seconds))
            }
            entry.count += 1
            w[key] = entry
            return .allowed
        }
    }

    /// Forgets windows that ended (called by the sweeper to bound memory).
    func prune() {
        let now = clock.now()
        windows.withLock { w in w = w.filter { now - $0.value.start < window } }
    }
}

/// The relay's time source: the continuous clock, or a manual one in tests.
public struct RelayClock: Sendable {
    /// The current instant.
    public let now: @Sendable () -> ContinuousClock.Instant

    /// A clock reading `now`.
    public init(now: @escaping @Sendable () -> ContinuousClock.Instant) { self.now = now }

    /// The system's continuous clock.
    public static let continuous = RelayClock { ContinuousClock.now }
}
