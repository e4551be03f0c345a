/// The relay's clocks (PROTOCOL.md §2.1, §2.3, §3.2, §11.2, §12.2, §12.4). Every duration is
/// configurable so tests can use short ones.
public struct RelayTimeouts: Sendable {
    /// A socket that sends no `register`/`connect` within this is closed (§12.4).
    public var firstMessage: Duration = .seconds(10)
    /// An instance that sends nothing (not even a ping) for this long is dropped (§2.1).
    public var instanceSilence: Duration = .seconds(60)
    /// A session with no traffic and no client ping for this long is closed `idle_timeout` (§2.3, §11.2).
    public var sessionIdle: Duration = .seconds(300)
    /// How long an instance id stays bound to its key after the instance went offline (§12.2).
    public var bindingRetention: Duration = .seconds(24 * 3600)
    /// Sealed claims expire this long after they were published (§3.2).
    public var claimLifetime: Duration = .seconds(300)
    /// Window of the per-IP and per-route rate limits.
    public var rateWindow: Duration = .seconds(60)
    /// Drop/MAC-failure logging: at most once per session per this (§12.4).
    public var dropLogInterval: Duration = .seconds(10)

    /// The spec's defaults.
    public init() {}

    /// How often the sweeper looks for idle sessions, silent instances and expired entries.
    var sweepInterval: Duration {
        let shortest = [firstMessage, instanceSilence, sessionIdle, claimLifetime].min() ?? .seconds(1)
        return max(.milliseconds(20), min(.seconds(5), shortest / 4))
    }
}
