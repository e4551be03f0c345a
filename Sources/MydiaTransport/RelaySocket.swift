import Logging
import MydiaCrypto
import MydiaTunnel
import MydiaWire
import NIOCore
import NIOSSL
import Synchronization

/// The WebSocket task behind a `RelayConnection`: the `connect` exchange, then a reader, a single
/// writer and the heartbeat, until the session ends (PROTOCOL.md §2.2, §12.1, §12.5).
struct RelaySocket: Sendable {
    /// Largest binary message a client accepts (§12.1), a little slack for text.
    static let maxMessageSize = 65_563
    /// Text messages are at most 4 KiB (§12.1).
    static let maxTextSize = 4096

    let origin: RelayOrigin
    let tls: TLSConfiguration?
    let configuration: RelayConnection.Configuration
    let logger: Logger

    init(origin: RelayOrigin, configuration: RelayConnection.Configuration, logger: Logger) throws(RelayConnection.Error) {
        self.origin = origin
        self.configuration = configuration
        self.logger = logger
        if origin.isSecure {
            do { tls = try RelayTLS.configuration(extraTrustAnchorPEM: configuration.extraTrustAnchorPEM) } catch {
                throw .invalidConfiguration(error.description)
            }
        } else {
            tls = nil  // RelayOrigin allows ws:// on loopback only (§12.5)
        }
    }

    /// Connects, runs the socket in a background task and returns once `connected` was checked.
    func open(instanceID: String, pinnedKey: [UInt8]) async throws(RelayConnection.Error) -> RelayConnection {
        let (outStream, outbound) = AsyncStream<RelayConnection.Outgoing>.makeStream()
        let (inStream, inbound) = AsyncStream<[UInt8]>.makeStream()
        let shared = RelayConnection.Shared(outbound: outbound)
        let handshake = OneShot<Result<RelayMessage.Connected, RelayConnection.Error>>()
        outbound.yield(.text(RelayMessage.connect(instanceID: instanceID).jsonText))

        let task = Task {
            do {
                try await RelayWebSocket.connect(
                    origin: origin, path: RelayOrigin.clientWebSocketPath, tls: tls, maxMessage: Self.maxMessageSize
                ) { wsInbound, wsOutbound in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await write(outStream, to: wsOutbound) }
                        group.addTask {
                            try await read(wsInbound, instanceID: instanceID, pinnedKey: pinnedKey, handshake: handshake,
                                           inbound: inbound, shared: shared)
                        }
                        group.addTask { try await heartbeat(shared: shared, handshake: handshake) }
                        _ = try await group.next()
                        group.cancelAll()
                    }
                }
            } catch is CancellationError {
            } catch {
                handshake.fulfil(.failure(.unreachable(RelayTLS.describe(error))))
            }
            handshake.fulfil(.failure(.unreachable("the connection closed before the relay answered")))
            shared.end(.socketClosed)
            inbound.finish()
            outbound.finish()
        }

        let timeout = Task {
            try await Task.sleep(for: configuration.connectTimeout)
            handshake.fulfil(.failure(.timedOut))
        }
        let result = await handshake.value
        timeout.cancel()
        switch result {
        case .success(let connected):
            return RelayConnection(connected: connected, messages: inStream, shared: shared)
        case .failure(let error):
            outbound.finish()
            task.cancel()
            throw error
        }
    }

    /// The single writer: frames leave in the order they were queued.
    private func write(_ stream: AsyncStream<RelayConnection.Outgoing>, to ws: RelayWebSocket.Outbound) async throws {
        for await item in stream {
            switch item {
            case .binary(let frame): try await ws.write(binary: ByteBuffer(bytes: frame))
            case .text(let text): try await ws.write(text: text)
            case .close(let reason):
                try await ws.write(text: RelayMessage.close(sessionID: nil, reason: reason).jsonText)
                return
            }
        }
    }

    private func read(
        _ ws: AsyncThrowingStream<RelayWebSocket.Message, any Error>, instanceID: String, pinnedKey: [UInt8],
        handshake: OneShot<Result<RelayMessage.Connected, RelayConnection.Error>>,
        inbound: AsyncStream<[UInt8]>.Continuation, shared: RelayConnection.Shared
    ) async throws {
        var established = false
        for try await message in ws {
            switch message {
            case .binary(let buffer):
                guard established else {
                    handshake.fulfil(.failure(.unexpectedReply("binary")))
                    return
                }
                inbound.yield(Array(buffer.readableBytesView))
            case .text(let text):
                guard text.utf8.count <= Self.maxTextSize else { continue }
                let decoded: RelayMessage
                do {
                    decoded = try RelayMessage.decode(text)
                } catch {
                    if !established, case .malformed(type: "connected", _) = error {
                        // A `connected` without a usable key or `webrtc_e2ee` is refused (§2.2).
                        handshake.fulfil(.failure(error == .malformed(type: "connected", field: "webrtc_e2ee") ? .encryptionNotOffered : .instanceKeyMissing))
                        return
                    }
                    continue
                }
                switch decoded {
                case .ping: shared.outbound.yield(.text(RelayMessage.pong.jsonText))
                case .pong: shared.notePong()
                case .connected(let c) where !established:
                    if let refusal = Self.check(c, instanceID: instanceID, pinnedKey: pinnedKey) {
                        handshake.fulfil(.failure(refusal))
                        return
                    }
                    established = true
                    handshake.fulfil(.success(c))
                case .error(.moved, _) where !established:
                    // PROTOCOL.md §15: another node of the fleet holds the instance.
                    handshake.fulfil(.failure(.moved(RelayMoved.relayURL(in: text) ?? "")))
                    return
                case .error(let code, let message) where !established:
                    handshake.fulfil(.failure(Self.map(code, message)))
                    return
                case .close(_, let reason):
                    if !established { handshake.fulfil(.failure(.unexpectedReply("close (\(reason))"))) }
                    shared.end(.closedByRelay(reason))
                    return
                default:
                    continue  // unknown or out-of-place types are ignored (§12.1)
                }
            }
        }
    }

    /// JSON heartbeat (§2.2): a ping every interval once connected; no pong within the timeout =
    /// path lost.
    private func heartbeat(shared: RelayConnection.Shared, handshake: OneShot<Result<RelayMessage.Connected, RelayConnection.Error>>) async throws {
        let rest = configuration.heartbeatInterval > configuration.pongTimeout
            ? configuration.heartbeatInterval - configuration.pongTimeout : .zero
        try await Task.sleep(for: configuration.heartbeatInterval)
        while true {
            guard case .success? = handshake.current else {
                try await Task.sleep(for: configuration.heartbeatInterval)
                continue
            }
            let before = shared.pongCount
            shared.outbound.yield(.text(RelayMessage.ping.jsonText))
            try await Task.sleep(for: configuration.pongTimeout)
            if shared.pongCount == before {
                logger.warning("relay heartbeat lost")
                shared.end(.pathLost)
                return
            }
            try await Task.sleep(for: rest)
        }
    }

    /// The client's checks of `connected` (§2.2): same instance, the pinned key (constant time),
    /// end-to-end encryption on.
    static func check(_ c: RelayMessage.Connected, instanceID: String, pinnedKey: [UInt8]) -> RelayConnection.Error? {
        guard c.publicKey.count == 32 else { return .instanceKeyMissing }
        guard ConstantTime.equals(c.publicKey, pinnedKey) else { return .instanceKeyMismatch }
        guard c.webrtcE2EE == 1 else { return .encryptionNotOffered }
        guard c.instanceID.lowercased() == instanceID.lowercased() else { return .wrongInstance }
        return nil
    }

    static func map(_ code: RelayErrorCode, _ message: String) -> RelayConnection.Error {
        switch code {
        case .instanceOffline: .instanceOffline
        case .instanceNotFound: .instanceNotFound
        case .rateLimited: .rateLimited
        case .badRequest: .badRequest(message)
        default: .relayError(code: code.rawValue, message: message)
        }
    }

}

/// A value set once and awaited by any number of tasks.
final class OneShot<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var waiters: [CheckedContinuation<Value, Never>] = []
    }

    private let state = Mutex(State())

    /// Sets the value unless it is already set; `true` if this call set it.
    @discardableResult
    func fulfil(_ value: Value) -> Bool {
        let waiters: [CheckedContinuation<Value, Never>]? = state.withLock { s in
            guard s.value == nil else { return nil }
            s.value = value
            defer { s.waiters = [] }
            return s.waiters
        }
        guard let waiters else { return false }
        for w in waiters { w.resume(returning: value) }
        return true
    }

    /// The value if it is set.
    var current: Value? { state.withLock { $0.value } }

    var value: Value {
        get async {
            await withCheckedContinuation { (c: CheckedContinuation<Value, Never>) in
                let ready: Value? = state.withLock { s in
                    if let v = s.value { return v }
                    s.waiters.append(c)
                    return nil
                }
                if let ready { c.resume(returning: ready) }
            }
        }
    }
}
