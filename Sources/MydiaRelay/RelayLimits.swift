public import MydiaListener

/// The relay's bounds (PROTOCOL.md §2.3, §3.2, §12.1, §12.4, §12.6), in one place.
public struct RelayLimits: Sendable {
    /// Largest binary WebSocket message from a client: one E2EE frame (§12.1).
    public var maxClientBinary = 65_563
    /// Largest binary message from an instance: the 36-byte session prefix plus one frame (§12.1).
    public var maxInstanceBinary = 36 + 65_563
    /// Largest text (JSON control) message (§12.1).
    public var maxText = 4 * 1024
    /// Bytes the relay queues for one client socket, replies included, before closing it as
    /// `slow_consumer` (§12.4); also an instance socket's high-water mark.
    public var maxBufferedPerSession = 1 << 20
    /// Bad requests (malformed or out-of-place messages) answered on one socket; the next one
    /// closes it (§12.4).
    public var maxBadMessages = 16
    /// Control messages (`ping`, `pong`, unknown types) one socket may send at once before the
    /// refill rate applies; past it each counts as a bad message, unanswered (§12.4).
    public var controlBurst = 20
    /// See ``controlBurst``: control messages per second, sustained.
    public var controlPerSecond = 1.0
    /// `connect` and `register` attempts per client IP per minute (`--connect-limit`, IPv6 by /64).
    public var connectsPerMinute = 60
    /// Concurrent sessions per instance (§2.3).
    public var sessionsPerInstance = 256
    /// Concurrent sessions per (instance, client IP) (§12.4).
    public var sessionsPerInstanceAndIP = 16
    /// Largest sealed-claim HTTP request body (§12.7).
    public var maxClaimBody = 8 * 1024
    /// Claim entries held at once (a memory bound).
    public var maxClaims = 10_000
    /// Claim API requests per client IP per 60 s, per route (§3.2, §11.7).
    public var claimPostsPerMinute = 10
    /// See ``claimPostsPerMinute``.
    public var claimGetsPerMinute = 30
    /// See ``claimPostsPerMinute``.
    public var claimDeletesPerMinute = 30
    /// GETs that miss, across all clients, per 60 s (§12.6: the global GET-miss budget).
    public var claimGetMissesPerMinute = 600

    /// The HTTP listener's connection caps and timeouts (PROTOCOL.md §13.19): a request head
    /// (and a TLS handshake before it) within 10 s, a keep-alive connection idle for 60 s closed;
    /// 16,384 connections at once, 128 from one IP address (IPv6 by /64) — room for many clients
    /// behind one NAT, each of which also passes ``connectsPerMinute``. An upgraded WebSocket
    /// leaves the HTTP timeouts (its own are in ``RelayTimeouts``) but stays counted in the caps.
    public var listener: ListenerGuard.Limits = {
        var limits = ListenerGuard.Limits()
        limits.maxConnections = 16_384
        limits.maxPerAddress = 128
        return limits
    }()

    /// Bytes the relay queues for one instance socket: its high-water mark, one client frame per
    /// session (each client reader waits for room past the mark), and room for control messages.
    public var instanceQueueBudget: Int { maxBufferedPerSession + sessionsPerInstance * maxClientBinary + 64 * 1024 }

    /// The spec's defaults.
    public init() {}
}
