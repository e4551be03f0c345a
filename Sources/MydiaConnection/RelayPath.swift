/// Opens relay sessions: the relay WebSocket plus the end-to-end handshake (PROTOCOL.md §2.2, §4).
/// The manager owns reconnecting (§8.6); a connector only makes one attempt per call.
public protocol RelayConnector: Sendable {
    /// Connects to the relay and completes the handshake; returns once the session is usable.
    /// Throws when the relay or the instance cannot be reached or the handshake fails.
    func connect() async throws -> any RelaySession
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
