/// Opens relay sessions: the relay WebSocket plus the end-to-end handshake (PROTOCOL.md §2.2, §4).
/// The manager owns reconnecting (§8.6); a connector only makes one attempt per call.
public protocol RelayConnector: Sendable {
    /// Connects to the relay and completes the handshake; returns once the session is usable.
    /// Throws when the relay or the instance cannot be reached or the handshake fails.
    func connect() async throws -> any RelaySession
}

/// Thrown by a path (or its body stream) when it dropped one exchange while the path itself stays
/// up — e.g. the tunnel saw a counter gap and aborted its open streams (PROTOCOL.md §12.11). The
/// manager re-issues idempotent requests (bodies resume by `Range`) and fails the others with
/// `ConnectionManager.Error.interrupted`.
public struct ExchangeInterrupted: Error, Sendable, Hashable {
    /// Why, in a few words (no payloads).
    public var reason: String

    /// Creates the error.
    public init(reason: String) {
        self.reason = reason
    }
}

/// Thrown by a relay body stream when the whole relay session ended under it: the relay closed it
/// (a `slow_consumer` close of a client starved of CPU, a relay restart), the socket dropped, or
/// the heartbeat stopped. The manager waits for its next relay session, up to
/// `ConnectionPolicy.resumeWait`, and continues the body there by `Range` (PROTOCOL.md §13.38).
public struct RelaySessionLost: Error, Sendable, Hashable {
    /// Why, in a few words (no payloads).
    public var reason: String

    /// Creates the error.
    public init(reason: String) {
        self.reason = reason
    }
}

/// A relay connect that failed for a reason waiting cannot fix: the instance rejected this device's
/// credentials (revoked, unknown) or the relay announced another server key (§3.3 step 2). The
/// manager goes on retrying at the slowest step of the backoff table, and requests that find no
/// path fail with `reason` instead of the retryable `ConnectionManager.Error.offline`.
public struct RelayRefused: Error, Sendable {
    /// The transport's own error, which callers map to a message and exit code.
    public var reason: any Error & Sendable

    /// Wraps the refusal.
    public init(_ reason: any Error & Sendable) {
        self.reason = reason
    }
}

/// One established relay session (one client socket, one tunnel; §11.2).
public protocol RelaySession: Sendable {
    /// The direct URLs and certificate fingerprint that this session's message 2 carried
    /// (§11.11); `nil` when the handshake did not carry them.
    var directConfiguration: DirectConfiguration? { get }
    /// Sends one request through the tunnel and returns its head; the body streams after it.
    func send(_ request: PathRequest) async throws -> PathResponse
    /// One tunnel `ping`/`pong` (§5.1); returns the round-trip time.
    func ping() async throws -> Duration
    /// Returns when the session has ended, with a short reason (no secrets). Must return
    /// promptly when the calling task is cancelled.
    func closed() async -> String
    /// Closes the session; in-flight requests fail.
    func close() async
}
