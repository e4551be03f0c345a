/// The timings of the connection manager. Defaults are the values PROTOCOL.md §8 and §12.20
/// dictate; tests and benchmarks may shorten them.
public struct ConnectionPolicy: Sendable, Hashable {
    /// Delays after consecutive failed probe rounds; the last one repeats (§8.2: 5, 10, 30, 60, 300 s).
    public var probeBackoff: [Duration] = [.seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(300)]
    /// Cap on the (jittered) probe delay while media streams over the relay (§8.2).
    public var probeBackoffCapWhileStreaming: Duration = .seconds(30)
    /// A probe round ends after this long, whatever is still running (§12.20).
    public var probeRoundCap: Duration = .seconds(10)
    /// A URL that still presents a foreign certificate is not probed again for this long (§8.2, §12.21).
    public var pinMismatchHoldOff: Duration = .seconds(600)
    /// A direct response that delivers no byte for this long while the caller waits fails the path (§8.5).
    public var directStallTimeout: Duration = .seconds(3)
    /// Keepalive interval on the direct path while traffic flows (§8.5).
    public var keepaliveInterval: Duration = .seconds(5)
    /// This many missed keepalives in a row fail the direct path (§8.5).
    public var missedKeepalivesLimit: Int = 2
    /// Direct must stay up this long before the probe backoff step resets (§12.20).
    public var backoffResetAfter: Duration = .seconds(300)
    /// Delays between relay reconnect attempts; the last one repeats (§8.6).
    public var relayReconnectBackoff: [Duration] = [.seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30)]
    /// Tunnel ping interval while the relay session is open (heartbeats keep it alive, §8.4, §11.2).
    public var relayHeartbeatInterval: Duration = .seconds(15)
    /// A tunnel ping unanswered for this long counts as relay loss.
    public var relayHeartbeatTimeout: Duration = .seconds(10)
    /// A relay connect + handshake attempt is abandoned after this long.
    public var relayConnectTimeout: Duration = .seconds(30)
    /// A body cut by the loss of the relay session waits this long for the next session to
    /// continue on (§13.38); the player sees a pause, not an error. Past it the body fails.
    public var resumeWait: Duration = .seconds(20)
    /// How many transitions a snapshot keeps.
    public var transitionHistoryLimit: Int = 32

    /// The PROTOCOL.md defaults.
    public init() {}
}
