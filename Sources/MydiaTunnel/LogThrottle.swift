/// Lets a repeated event through at most once per interval: tunnel frame drops are logged at most
/// once per 10 s per session, never with their bytes (PROTOCOL.md §12.4), on the relay and on both
/// ends of a tunnel.
public struct LogThrottle: Sendable {
    /// The interval of §12.4.
    public static let dropInterval: Duration = .seconds(10)

    private var last: ContinuousClock.Instant?

    public init() {}

    /// `true` if no event was let through within `interval` before `now`; records `now` then.
    public mutating func admit(now: ContinuousClock.Instant = .now, interval: Duration = LogThrottle.dropInterval) -> Bool {
        if let last, now - last < interval { return false }
        last = now
        return true
    }
}
