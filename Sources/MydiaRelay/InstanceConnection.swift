import HummingbirdWebSocket
import Logging
import MydiaCrypto
import MydiaWire
import NIOConcurrencyHelpers
import NIOCore

/// One instance socket, `/relay/tunnel/websocket` (PROTOCOL.md §2.1, §12.2–§12.4): challenge,
/// proven `register`, then session-prefixed binary frames fanned out to clients.
struct InstanceConnection {
    let hub: RelayHub
    let connectLimiter: RateLimiter
    let clientKey: String

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let limits = hub.limits
        let outbox = Outbox(budget: limits.instanceQueueBudget, highWater: limits.maxBufferedPerSession)
        let strikes = Strikes(limit: limits.maxBadMessages)
        let control = ControlRate(burst: limits.controlBurst, perSecond: limits.controlPerSecond, clock: hub.clock)
        let link = NIOLockedValueBox<InstanceLink?>(nil)
        // PROTOCOL.md §12.2: a fresh nonce and a fresh relay key for every socket.
        let nonce = SecretBytes.random(count: RegistrationProof.nonceBytes).exposedCopy()
        let relayKey = X25519KeyPair.generate()
        outbox.push(.text(RelayMessage.challenge(nonce: nonce, relayKey: relayKey.publicKey).jsonText))
        defer {
            if let registered = link.withLockedValue({ $0 }), hub.instanceGone(registered), let fleet = hub.fleet {
                // §15: the presence row stops naming this node (the refresher mends a race with a
                // quick re-register here).
                Task { await fleet.markOffline(instanceID: registered.instanceID) }
            }
        }
        try await SocketRunner.run(
            outbox: outbox, outbound: outbound, gauge: hub.gauge,
            deadline: (hub.timeouts.firstMessage, { link.withLockedValue { $0 == nil } }),
            read: {
                for try await message in inbound.messages(maxSize: limits.maxInstanceBinary) {
                    let now = hub.clock.now()
                    let registered = link.withLockedValue { $0 }
                    registered?.touch(now)
                    switch message {
                    case .text(let text):
                        guard text.utf8.count <= limits.maxText else { return }
                        let challenge = Challenge(nonce: nonce, relayKey: relayKey)
                        if await !handleText(text, outbox: outbox, link: link, challenge: challenge, strikes: strikes, control: control) { return }
                    case .binary(let buffer):
                        // PROTOCOL.md §12.1: the limit applies to the whole message (one-frame
                        // messages are not checked by the WebSocket layer); larger closes the socket.
                        guard buffer.readableBytes <= limits.maxInstanceBinary else { return }
                        guard let registered else {
                            guard refuse(outbox, strikes, .badRequest, "Register before sending binary frames.") else { return }
                            continue
                        }
                        forward(buffer, from: registered, now: now)
                    }
                }
            })
    }

    private struct Challenge {
        let nonce: [UInt8]
        let relayKey: X25519KeyPair
    }

    /// Instance → client: strip the prefix, queue for the session's client. Never parses the rest.
    private func forward(_ buffer: ByteBuffer, from link: InstanceLink, now: ContinuousClock.Instant) {
        var buffer = buffer
        guard let prefix = buffer.readBytes(length: RelaySessionFrame.sessionIDBytes),
            RelaySessionID.isValid(utf8: prefix),
            let session = hub.session(String(decoding: prefix, as: UTF8.self), of: link)
        else {
            // PROTOCOL.md §12.3: only sessions assigned to this socket; anything else is dropped.
            if link.shouldLogDrop(now: now, interval: hub.timeouts.dropLogInterval) {
                hub.logger.notice("dropped an instance frame for an unknown session", metadata: ["instance_id": "\(link.instanceID)"])
            }
            return
        }
        session.touch(now)
        switch session.clientOutbox.push(.binary(buffer)) {
        case .queued:
            break
        case .overflow:
            // PROTOCOL.md §12.4: close the slow session; never stall the instance socket.
            hub.logger.notice("client too slow; closing its session", metadata: ["session_id": "\(session.id)"])
            hub.endSession(session, reason: .slowConsumer, toInstance: true, toClient: true)
        case .closed:
            if session.shouldLogDrop(now: now, interval: hub.timeouts.dropLogInterval) {
                hub.logger.debug("dropped a frame for a closing session", metadata: ["session_id": "\(session.id)"])
            }
        }
    }

    /// Handles one control message; `false` ends the socket.
    private func handleText(
        _ text: String, outbox: Outbox, link: NIOLockedValueBox<InstanceLink?>, challenge: Challenge, strikes: Strikes,
        control: ControlRate
    ) async -> Bool {
        let message: RelayMessage
        do {
            message = try RelayMessage.decode(text)
        } catch {
            return refuse(outbox, strikes, .badRequest, error.description)
        }
        switch message {
        case .ping, .pong, .unknown:
            // §12.4: a control flood gets no answers and ends the socket as bad messages do.
            guard control.take() else { return strikes.record() }
        default:
            break
        }
        switch message {
        case .ping:
            outbox.push(.text(RelayMessage.pong.jsonText))
        case .pong, .unknown:
            break  // activity was recorded; unknown types are ignored (§12.1)
        case .register(let register):
            guard link.withLockedValue({ $0 }) == nil else {
                return refuse(outbox, strikes, .badRequest, "This socket is already registered.")
            }
            return await self.register(register, outbox: outbox, link: link, challenge: challenge)
        case .close(let sessionID, let reason):
            guard let registered = link.withLockedValue({ $0 }), let sessionID,
                let session = hub.session(sessionID, of: registered)
            else { return true }  // §12.3: not this socket's session: dropped
            hub.endSession(session, reason: reason, toInstance: false, toClient: true)
        case .challenge, .registered, .error, .connection, .connect, .connected:
            return refuse(outbox, strikes, .badRequest, "\"\(message.type)\" is not an instance message.")
        }
        return true
    }

    /// A `register`: protocol, shape, proof, binding. Failures answer `error` and close the socket.
    private func register(_ r: RelayMessage.Register, outbox: Outbox, link: NIOLockedValueBox<InstanceLink?>, challenge: Challenge) async -> Bool {
        func refuse(_ code: RelayErrorCode, _ message: String) -> Bool {
            reply(outbox, code, message)
            outbox.push(.closeSocket)
            return true
        }
        if case .limited(let seconds) = connectLimiter.acquire(clientKey) {
            return refuse(.rateLimited, "Too many registrations from this address; retry in \(seconds) s.")
        }
        guard r.relayProtocol.contains(RelayProtocol.version) else {
            return refuse(.unsupportedProtocol, "This relay speaks relay_protocol 1 only.")
        }
        guard RelaySessionID.isValid(r.instanceID), r.publicKey.count == X25519KeyPair.keyBytes else {
            return refuse(.badRequest, "instance_id must be a lowercase UUID and public_key 32 bytes.")
        }
        guard RegistrationProof.verify(r.proof, relayKey: challenge.relayKey, instancePublicKey: r.publicKey, nonce: challenge.nonce, instanceID: r.instanceID) else {
            hub.logger.notice("register with an invalid proof", metadata: ["instance_id": "\(r.instanceID)"])
            return refuse(.invalidProof, "The proof of possession does not verify for this key and challenge.")
        }
        if let fleet = hub.fleet {
            // PROTOCOL.md §15: the binding lives in the fleet's database and survives restarts.
            switch await fleet.bind(instanceID: r.instanceID, publicKey: r.publicKey) {
            case .bound: break
            case .conflict:
                hub.logger.notice("register for an id bound to another key", metadata: ["instance_id": "\(r.instanceID)"])
                return refuse(.instanceIDConflict, "This instance_id is bound to another public key.")
            case .unavailable:
                return refuse(.unavailable, "The relay cannot reach its database to check this instance's key; retry shortly.")
            }
        }
        switch hub.register(instanceID: r.instanceID, publicKey: r.publicKey, outbox: outbox) {
        case .conflict:
            hub.logger.notice("register for an id bound to another key", metadata: ["instance_id": "\(r.instanceID)"])
            return refuse(.instanceIDConflict, "This instance_id is bound to another public key.")
        case .registered(let registered, _, _):
            link.withLockedValue { $0 = registered }
            hub.logger.info("instance registered", metadata: ["instance_id": "\(r.instanceID)"])
            return true
        }
    }

    private func reply(_ outbox: Outbox, _ code: RelayErrorCode, _ message: String) {
        outbox.push(.text(RelayMessage.error(code: code, message: message).jsonText))
    }

    /// Answers a bad request; `false` once the socket has sent more than its share of them.
    private func refuse(_ outbox: Outbox, _ strikes: Strikes, _ code: RelayErrorCode, _ message: String) -> Bool {
        guard strikes.record() else { return false }
        reply(outbox, code, message)
        return true
    }
}
