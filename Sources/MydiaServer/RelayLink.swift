public import Logging
public import MydiaCrypto
import MydiaTunnel
public import MydiaWire
import NIOCore
public import NIOSSL
import Synchronization

/// The instance's connection to the relay (PROTOCOL.md §2.1, §12.2, §12.3, §11.10): registers with
/// proof of key possession, keeps the registration alive, answers each session's handshake and then
/// serves its tunnel. Reconnects with backoff 1 s → 60 s. With several relay URLs (the nodes of a
/// fleet, §15) each reconnect goes to the next one in the list, so a dead node is left at once.
public actor RelayLink {
    /// Timing knobs (tests shorten them).
    public struct Timing: Sendable {
        public var ping: Duration = .seconds(30)
        public var handshakeDeadline: Duration = .seconds(30)
        public var backoff: [Duration] = [1, 2, 4, 8, 16, 32, 60].map { .seconds($0) }
        public init() {}
    }

    private enum Outgoing: Sendable {
        case text(String)
        /// A `PreparedMessage` carrying `session_id || frame` (§2.1), framed and masked already,
        /// and the gate of its session, which counts it until it is written.
        case prepared(ByteBuffer, SessionGate)
    }

    private enum Slot {
        case awaitingMessage1(deadline: Task<Void, Never>)
        case handshaking
        case established(TunnelResponder, deviceID: String, gate: SessionGate)
    }

    /// The relay URLs to register with, in order of preference (§15).
    private let origins: [RelayOrigin]
    private var current = 0
    private var origin: RelayOrigin { origins[current] }
    private let instanceID: String
    private let staticKey: X25519KeyPair
    private let acceptor: HandshakeAcceptor
    private let api: any APIHandler
    private let tls: TLSConfiguration?
    private let timing: Timing
    private let logger: Logger
    private var writer: AsyncStream<Outgoing>.Continuation?
    private var sessions: [String: Slot] = [:]
    private var registeredWaiters: [CheckedContinuation<Void, Never>] = []
    /// Whether the relay has accepted the current registration.
    public private(set) var isRegistered = false

    /// The relay URL the link uses (or tries) now.
    public var currentRelay: RelayOrigin { origin }

    public init(origin: RelayOrigin, instanceID: String, staticKey: X25519KeyPair, acceptor: HandshakeAcceptor,
                api: any APIHandler, tls: TLSConfiguration? = nil, timing: Timing = Timing(), logger: Logger) {
        self.init(origins: [origin], instanceID: instanceID, staticKey: staticKey, acceptor: acceptor, api: api, tls: tls, timing: timing, logger: logger)
    }

    /// A link that registers with the first of `origins` and, whenever that connection ends,
    /// moves on to the next one (wrapping around); an empty list is not allowed.
    /// - Parameters:
    ///   - origins: the relay nodes, in order of preference (one for a lone relay).
    ///   - tls: used for every `wss://` origin.
    public init(origins: [RelayOrigin], instanceID: String, staticKey: X25519KeyPair, acceptor: HandshakeAcceptor,
                api: any APIHandler, tls: TLSConfiguration? = nil, timing: Timing = Timing(), logger: Logger) {
        precondition(!origins.isEmpty, "a relay link needs at least one relay URL")
        self.origins = origins
        self.instanceID = instanceID
        self.staticKey = staticKey
        self.acceptor = acceptor
        self.api = api
        self.tls = tls
        self.timing = timing
        self.logger = logger
    }

    /// Number of sessions with an established tunnel.
    public var establishedSessions: Int {
        sessions.values.reduce(0) { if case .established = $1 { $0 + 1 } else { $0 } }
    }

    /// Suspends until the relay has accepted a registration.
    public func waitUntilRegistered() async {
        if isRegistered { return }
        await withCheckedContinuation { registeredWaiters.append($0) }
    }

    /// Runs until the task is cancelled, reconnecting whenever the relay connection ends.
    public func run() async {
        var attempt = 0
        while !Task.isCancelled {
            let wasRegistered = await connectOnce()
            dropAllSessions()
            if Task.isCancelled { break }
            attempt = wasRegistered ? 0 : min(attempt + 1, timing.backoff.count - 1)
            let delay = timing.backoff[attempt]
            // PROTOCOL.md §15: a node that dropped us (or never answered) may be dead; the next
            // node of the list is tried on the §2.1 backoff.
            current = (current + 1) % origins.count
            logger.notice("relay connection ended; reconnecting", metadata: ["in": "\(delay)", "relay": "\(origin)"])
            try? await Task.sleep(for: delay)
        }
        dropAllSessions()
    }

    /// Ends every tunnel of `deviceID` at once (revocation, §12.14).
    public func closeSessions(deviceID: String, reason: String = "device_revoked") {
        for (id, slot) in sessions {
            guard case .established(let responder, let owner, let gate) = slot, owner == deviceID else { continue }
            sessions.removeValue(forKey: id)
            gate.shut()
            Task { await responder.close() }
            send(.text(RelayMessage.close(sessionID: id, reason: RelayCloseReason(rawValue: reason)).jsonText))
        }
    }

    // MARK: - One connection

    /// Returns whether the registration was accepted at some point.
    private func connectOnce() async -> Bool {
        let (stream, continuation) = AsyncStream<Outgoing>.makeStream()
        writer = continuation
        var registered = false
        let timing = self.timing
        do {
            try await RelayWebSocket.connect(
                origin: origin, path: RelayOrigin.instanceWebSocketPath, tls: tls, maxMessage: 36 + FrameHeader.maxFrame
            ) { inbound, outbound in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await item in stream {
                            switch item {
                            case .text(let t): try await outbound.write(text: t)
                            case .prepared(let b, let gate):
                                let count = b.readableBytes
                                try await outbound.write(prepared: b)
                                gate.sent(count)
                            }
                        }
                    }
                    group.addTask {
                        while true {
                            try await Task.sleep(for: timing.ping)
                            continuation.yield(.text(RelayMessage.ping.jsonText))
                        }
                    }
                    group.addTask {
                        // Messages are handled one at a time, in order: a session's frames reach
                        // its tunnel in the order the relay forwarded them.
                        for try await message in inbound {
                            switch message {
                            case .text(let text): await self.handle(text: text)
                            case .binary(let buffer):
                                let bytes = Array(buffer.readableBytesView)
                                guard let (sid, payload) = RelaySessionFrame.decode(bytes) else { continue }
                                if let responder = await self.route(sessionID: sid, payload: Array(payload)) {
                                    await responder.receive(Array(payload))
                                }
                            }
                        }
                    }
                    _ = try await group.next()
                    group.cancelAll()
                }
            }
        } catch {
            logger.warning("relay connection failed", metadata: ["relay": "\(origin)", "error": "\(error)"])
        }
        registered = isRegistered
        isRegistered = false
        writer = nil
        continuation.finish()
        return registered
    }

    private func send(_ item: Outgoing) { writer?.yield(item) }

    /// Where a session's frames go: each one is sealed into a `PreparedMessage` that already holds
    /// the WebSocket header and the session id (§2.1), masked in place and queued on the socket
    /// (no task or actor hop per frame, §13.9; no copy of the frame, §13.10) while `gate` is open.
    private static func sink(sessionID sid: String, gate: SessionGate, writer: AsyncStream<Outgoing>.Continuation?) -> TunnelFrameSink {
        precondition(RelaySessionID.isValid(sid), "session ids are 36-character lowercase UUIDs")
        return TunnelFrameSink(
            buffer: { frameLength in
                var buffer = PreparedMessage.begin(payloadLength: RelaySessionFrame.sessionIDBytes + frameLength)
                buffer.writeString(sid)
                return buffer
            },
            send: { buffer in
                PreparedMessage.mask(&buffer)
                if gate.admit(buffer.readableBytes) { writer?.yield(.prepared(buffer, gate)) }
            })
    }

    /// Sends one handshake message of session `sid` (§2.1).
    private func send(sessionID sid: String, _ message: [UInt8]) {
        let sink = Self.sink(sessionID: sid, gate: SessionGate(), writer: writer)
        var buffer = sink.buffer(message.count)
        buffer.writeBytes(message)
        sink.send(&buffer)
    }

    private func handle(text: String) {
        let message: RelayMessage
        do {
            message = try RelayMessage.decode(text)
        } catch {
            logger.notice("ignored a malformed relay message")
            return
        }
        switch message {
        case .challenge(let nonce, let relayKey):
            do {
                let proof = try RegistrationProof.make(staticKey: staticKey, relayKey: relayKey, nonce: nonce, instanceID: instanceID)
                send(.text(RelayMessage.register(.init(instanceID: instanceID, publicKey: staticKey.publicKey, proof: proof)).jsonText))
            } catch {
                logger.error("cannot answer the relay's challenge", metadata: ["error": "\(error)"])
            }
        case .registered:
            isRegistered = true
            logger.notice("registered with the relay", metadata: ["relay": "\(origin)"])
            for waiter in registeredWaiters { waiter.resume() }
            registeredWaiters.removeAll()
        case .error(let code, let text):
            logger.error("the relay refused", metadata: ["code": "\(code)", "message": "\(DisplayText.sanitized(text))"])
        case .connection(let sid):
            guard RelaySessionID.isValid(sid), sessions[sid] == nil else { return }
            let deadline = timing.handshakeDeadline
            sessions[sid] = .awaitingMessage1(deadline: Task {
                try? await Task.sleep(for: deadline)
                self.handshakeTimedOut(sid)
            })
        case .close(let sid?, _):
            end(sid)
        case .ping:
            send(.text(RelayMessage.pong.jsonText))
        case .pong, .close(nil, _), .register, .connect, .connected, .unknown:
            break
        }
    }

    /// Where a session's binary message goes: the handshake (started here) or its tunnel.
    private func route(sessionID sid: String, payload: [UInt8]) -> TunnelResponder? {
        switch sessions[sid] {
        case .awaitingMessage1(let deadline)?:
            deadline.cancel()
            sessions[sid] = .handshaking
            let acceptor = self.acceptor
            Task {
                let outcome = await acceptor.accept(sessionID: sid, message1: payload)
                self.finishHandshake(sid, outcome)
            }
            return nil
        case .established(let responder, _, _)?:
            return responder
        case .handshaking?, nil:
            return nil  // nothing may arrive before message 2 is out; unknown sessions are ignored
        }
    }

    private func finishHandshake(_ sid: String, _ outcome: HandshakeAcceptor.Outcome) {
        guard case .handshaking? = sessions[sid] else { return }  // closed meanwhile
        switch outcome {
        case let .established(session, deviceID, reply):
            send(sessionID: sid, reply)
            var sessionLogger = logger
            sessionLogger[metadataKey: "session"] = "\(sid)"
            // The responder's frames go straight into the socket's queue until the session ends here.
            let gate = SessionGate { [weak self] in Task { await self?.overBudget(sid) } }
            let responder = TunnelResponder(session: session, deviceID: deviceID, handler: api,
                                            sink: Self.sink(sessionID: sid, gate: gate, writer: writer), logger: sessionLogger)
            sessions[sid] = .established(responder, deviceID: deviceID, gate: gate)
        case let .rejected(reply, reason):
            if let reply { send(sessionID: sid, reply) }
            send(.text(RelayMessage.close(sessionID: sid, reason: RelayCloseReason(rawValue: reason)).jsonText))
            sessions.removeValue(forKey: sid)
        }
    }

    /// A session queued more than ``SessionGate/budget`` that the socket has not taken: its peer
    /// (or the relay) is not reading. The session ends; the others carry on (issue 18).
    private func overBudget(_ sid: String) {
        guard case .established? = sessions[sid] else { return }
        logger.warning("a session's frames are not being taken; closing it", metadata: ["session": "\(sid)"])
        end(sid)
        send(.text(RelayMessage.close(sessionID: sid, reason: .slowConsumer).jsonText))
    }

    private func handshakeTimedOut(_ sid: String) {
        guard case .awaitingMessage1? = sessions[sid] else { return }
        sessions.removeValue(forKey: sid)
        send(.text(RelayMessage.close(sessionID: sid, reason: .handshakeTimeout).jsonText))
    }

    private func end(_ sid: String) {
        switch sessions.removeValue(forKey: sid) {
        case .awaitingMessage1(let deadline)?: deadline.cancel()
        case .established(let responder, _, let gate)?:
            gate.shut()
            Task { await responder.close() }
        case .handshaking?, nil: break
        }
    }

    private func dropAllSessions() {
        for sid in Array(sessions.keys) { end(sid) }
    }
}

/// Whether a session's frames may still go out: shut when the link ends the session, so a
/// responder still finishing a frame sends nothing after that. It also counts the session's bytes
/// queued for the socket and not yet written: past ``budget`` the gate shuts and reports it once,
/// so the outgoing queue holds at most one budget per session (issue 18).
final class SessionGate: Sendable {
    /// Bytes one session may have queued: sixteen stream windows (§13.35). Media never exceeds
    /// one window per stream (``StreamCredit``); the rest are inline answers and pongs.
    static let budget = 16 * StreamCredit.window

    private struct State {
        var open = true
        var queued = 0
    }

    private let state = Mutex(State())
    private let limit: Int
    private let onOverflow: @Sendable () -> Void

    /// - Parameters:
    ///   - budget: the most bytes queued at once.
    ///   - onOverflow: called once, when a frame would go past the budget.
    init(budget: Int = SessionGate.budget, onOverflow: @escaping @Sendable () -> Void = {}) {
        limit = budget
        self.onOverflow = onOverflow
    }

    var isOpen: Bool { state.withLock { $0.open } }

    func shut() { state.withLock { $0.open = false } }

    /// Counts `bytes` as queued; `false` (nothing counted) once shut or past the budget.
    func admit(_ bytes: Int) -> Bool {
        let (admitted, overflowed) = state.withLock { s -> (Bool, Bool) in
            guard s.open else { return (false, false) }
            guard s.queued + bytes <= limit else {
                s.open = false
                return (false, true)
            }
            s.queued += bytes
            return (true, false)
        }
        if overflowed { onOverflow() }
        return admitted
    }

    /// `bytes` of this session were written to the socket.
    func sent(_ bytes: Int) { state.withLock { $0.queued -= bytes } }

    /// Bytes queued and not yet written (tests).
    var queued: Int { state.withLock { $0.queued } }
}
