public import Logging
public import MydiaWire
import MydiaCrypto
import Synchronization

/// The client's socket to the relay (PROTOCOL.md §2.2): one WebSocket, one session with one
/// instance. `connect` sends `connect`, checks the relay's `connected` against the PINNED instance
/// key, and returns once binary frames (E2EE messages, §4) can flow. Afterwards it keeps the path
/// alive with JSON heartbeats and reports how the session ended.
///
/// Outgoing binary frames are written strictly in the order `send` is called (one writer task),
/// which `TunnelSession` relies on for counter order.
public final class RelayConnection: Sendable {
    /// How to reach and watch the relay.
    public struct Configuration: Sendable {
        /// PEM of an extra trust anchor for `wss://` (`--relay-ca`, §12.5); system CAs stay trusted.
        public var extraTrustAnchorPEM: String?
        /// JSON `ping` interval (§2.2: 30 s).
        public var heartbeatInterval: Duration
        /// The path is lost when no `pong` arrives this long after a ping (§2.2: 10 s).
        public var pongTimeout: Duration
        /// Budget for the WebSocket upgrade plus `connected`.
        public var connectTimeout: Duration

        /// The protocol's defaults.
        public init(extraTrustAnchorPEM: String? = nil, heartbeatInterval: Duration = .seconds(30),
                    pongTimeout: Duration = .seconds(10), connectTimeout: Duration = .seconds(10)) {
            self.extraTrustAnchorPEM = extraTrustAnchorPEM
            self.heartbeatInterval = heartbeatInterval
            self.pongTimeout = pongTimeout
            self.connectTimeout = connectTimeout
        }
    }

    /// Why a connection could not be made.
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// The pinned instance key is not 32 bytes (a corrupt pairing record).
        case invalidPinnedKey
        /// The relay announced a different key than the one pinned at pairing.
        case instanceKeyMismatch
        /// The relay's `connected` had no usable `public_key` (missing or not 32 bytes).
        case instanceKeyMissing
        /// `webrtc_e2ee` was not 1: there is no plaintext mode.
        case encryptionNotOffered
        /// The relay connected us to another instance than the one asked for.
        case wrongInstance
        /// The instance registered before and is disconnected now.
        case instanceOffline
        /// The relay has never seen this instance.
        case instanceNotFound
        /// The relay's rate or session limit was hit.
        case rateLimited
        /// The relay refused the request as malformed.
        case badRequest(String)
        /// Any other relay error code.
        case relayError(code: String, message: String)
        /// The relay sent something other than `connected` or `error`.
        case unexpectedReply(String)
        /// No `connected` within the budget.
        case timedOut
        /// The WebSocket could not be opened (DNS, TCP, TLS or upgrade failure).
        case unreachable(String)
        /// The relay URL or trust anchor is unusable.
        case invalidConfiguration(String)
        /// A fleet node answered `moved` (§15); ``connect(origin:instanceID:pinnedInstanceKey:configuration:logger:)``
        /// follows one, so callers see this only as the reason a second one was refused.
        case moved(String)
        /// A second `moved` on one connect, or one naming a URL that is neither `wss://` nor loopback.
        case movedRefused(String)

        public var description: String {
            switch self {
            case .invalidPinnedKey: "The stored key of this server is damaged — pair the device again."
            case .instanceKeyMismatch: "The relay announced a different server key than the one paired — the connection was refused; pair again only if the server was reinstalled."
            case .instanceKeyMissing: "The relay did not present a valid server key — the connection was refused."
            case .encryptionNotOffered: "The relay did not offer end-to-end encryption — the connection was refused."
            case .wrongInstance: "The relay connected to a different server than requested — the connection was refused."
            case .instanceOffline: "The server is offline — check that it is running and connected to the relay."
            case .instanceNotFound: "The relay does not know this server — check the relay URL or start the server."
            case .rateLimited: "The relay is limiting connections — wait a minute and try again."
            case .badRequest(let message): "The relay refused the request as malformed (\(DisplayText.name(message)))."
            case .relayError(let code, let message): "The relay answered with an error \(DisplayText.name(code)): \(DisplayText.name(message))."
            case .unexpectedReply(let type): "The relay answered with an unexpected \(DisplayText.name(type)) message — try again later."
            case .timedOut: "The relay did not answer in time — check the network and the relay URL."
            case .unreachable(let why): "The relay cannot be reached (\(why)) — check the network and the relay URL."
            case .invalidConfiguration(let why): "The relay settings are unusable: \(why)."
            case .moved(let url): "The relay sent this device to another relay node (\(DisplayText.name(url))) — try again."
            case .movedRefused(let why): "The relay tried to send this device elsewhere and it was refused (\(why)) — try again later."
            }
        }
    }

    /// How an established session ended.
    public enum EndReason: Sendable, Equatable, CustomStringConvertible {
        /// The relay sent `close` with this reason (e.g. `instance_disconnected`, a §4.3 error).
        case closedByRelay(RelayCloseReason)
        /// No `pong` within the timeout: the relay path is lost (§2.2).
        case pathLost
        /// The WebSocket closed or failed without a `close` message.
        case socketClosed
        /// This side called `close`.
        case closedLocally

        public var description: String {
            switch self {
            case .closedByRelay(let reason): "The relay closed the session (\(reason))."
            case .pathLost: "The relay stopped answering heartbeats — the relay path is lost."
            case .socketClosed: "The connection to the relay closed."
            case .closedLocally: "The session was closed by this device."
            }
        }
    }

    /// The fresh session UUID the relay chose.
    public let sessionID: String
    /// The instance this session reaches.
    public let instanceID: String
    /// The instance key the relay announced (equal to the pinned one).
    public let instanceKey: [UInt8]
    /// Binary messages from the instance, in order; finishes when the session ends.
    public let messages: AsyncStream<[UInt8]>

    let shared: Shared

    init(connected: RelayMessage.Connected, messages: AsyncStream<[UInt8]>, shared: Shared) {
        sessionID = connected.sessionID
        instanceID = connected.instanceID
        instanceKey = connected.publicKey
        self.messages = messages
        self.shared = shared
    }

    deinit { shared.outbound.finish() }

    /// Opens the client socket and waits for `connected` (§2.2).
    /// - Parameters:
    ///   - origin: the relay origin; `clientWebSocketURL` is derived from it.
    ///   - instanceID: the paired instance.
    ///   - pinnedInstanceKey: the instance static key pinned at pairing; compared in constant time.
    public static func connect(
        origin: RelayOrigin, instanceID: String, pinnedInstanceKey: [UInt8],
        configuration: Configuration = .init(), logger: Logger = Logger(label: "mydia.relay")
    ) async throws(Error) -> RelayConnection {
        guard pinnedInstanceKey.count == 32 else { throw .invalidPinnedKey }
        let socket = try RelaySocket(origin: origin, configuration: configuration, logger: logger)
        do {
            return try await socket.open(instanceID: instanceID, pinnedKey: pinnedInstanceKey)
        } catch .moved(let url) {
            // PROTOCOL.md §15: follow one `moved` per connect, only to wss:// (or loopback); the
            // pinned key is checked there exactly as here, so a node cannot send us anywhere useful.
            let target = try movedOrigin(url)
            logger.info("relay node moved the session", metadata: ["to": "\(target)"])
            let next = try RelaySocket(origin: target, configuration: configuration, logger: logger)
            do {
                return try await next.open(instanceID: instanceID, pinnedKey: pinnedInstanceKey)
            } catch .moved(let again) {
                throw .movedRefused("a second move, to \(DisplayText.name(again))")
            }
        }
    }

    /// The origin a `moved` names, if a client may follow it: `wss://host[:port]`, or `ws://` on
    /// a loopback literal (RelayOrigin refuses plaintext elsewhere).
    static func movedOrigin(_ url: String) throws(Error) -> RelayOrigin {
        let scheme = url.prefix(while: { $0 != ":" }).lowercased()
        guard scheme == "wss" || scheme == "ws", let origin = try? RelayOrigin(url) else {
            throw .movedRefused("\(DisplayText.name(url)) is not a wss:// relay URL")
        }
        return origin
    }

    /// Writes one binary message (an E2EE frame). Frames go out in call order.
    /// - Returns: `false` when the session has already ended.
    @discardableResult
    public func send(_ frame: [UInt8]) -> Bool {
        guard shared.endReason == nil else { return false }
        if case .terminated = shared.outbound.yield(.binary(frame)) { return false }
        return true
    }

    /// Ends the session: the relay gets `{"type":"close","reason":"client_disconnected"}`.
    public func close() {
        shared.end(.closedLocally)
        shared.outbound.yield(.close(.clientDisconnected))
        shared.outbound.finish()
    }

    /// How the session ended, or `nil` while it is open.
    public var endReason: EndReason? { shared.endReason }

    /// Waits until the session ends and returns why. Not cancellable: to bound the wait, poll
    /// `endReason` instead.
    public func ended() async -> EndReason { await shared.waitForEnd() }

    /// What the writer task sends.
    enum Outgoing: Sendable {
        case binary([UInt8])
        case text(String)
        case close(RelayCloseReason)
    }

    /// State shared by the connection object and its socket task.
    final class Shared: Sendable {
        private struct State {
            var endReason: EndReason?
            var waiters: [CheckedContinuation<EndReason, Never>] = []
            var pongs = 0
        }

        private let state = Mutex(State())
        let outbound: AsyncStream<Outgoing>.Continuation

        init(outbound: AsyncStream<Outgoing>.Continuation) { self.outbound = outbound }

        var endReason: EndReason? { state.withLock { $0.endReason } }
        var pongCount: Int { state.withLock { $0.pongs } }
        func notePong() { state.withLock { $0.pongs += 1 } }

        /// Records the first end reason; later ones are ignored.
        func end(_ reason: EndReason) {
            let waiters: [CheckedContinuation<EndReason, Never>] = state.withLock { s in
                guard s.endReason == nil else { return [] }
                s.endReason = reason
                defer { s.waiters = [] }
                return s.waiters
            }
            for w in waiters { w.resume(returning: reason) }
        }

        func waitForEnd() async -> EndReason {
            await withCheckedContinuation { (c: CheckedContinuation<EndReason, Never>) in
                let done: EndReason? = state.withLock { s in
                    if let r = s.endReason { return r }
                    s.waiters.append(c)
                    return nil
                }
                if let done { c.resume(returning: done) }
            }
        }
    }
}
