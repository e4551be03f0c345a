import HummingbirdWebSocket
import Logging
import MydiaWire
import NIOConcurrencyHelpers
import NIOCore

/// One client socket, `/relay/client/websocket` (PROTOCOL.md §2.2, §12.1, §12.3, §12.4): one
/// `connect`, then opaque binary frames forwarded to the instance with the session prefix.
struct ClientConnection {
    let hub: RelayHub
    let connectLimiter: RateLimiter
    let clientKey: String

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let limits = hub.limits
        let outbox = Outbox(budget: limits.maxBufferedPerSession, highWater: limits.maxBufferedPerSession)
        let current = NIOLockedValueBox<RelaySession?>(nil)
        let strikes = Strikes(limit: limits.maxBadMessages)
        let control = ControlRate(burst: limits.controlBurst, perSecond: limits.controlPerSecond, clock: hub.clock)
        defer {
            // The client went away (or was closed): the instance learns it, unless already told.
            if let session = current.withLockedValue({ $0 }) {
                hub.endSession(session, reason: .clientDisconnected, toInstance: true, toClient: false)
            }
        }
        try await SocketRunner.run(
            outbox: outbox, outbound: outbound, gauge: hub.gauge,
            deadline: (hub.timeouts.firstMessage, { current.withLockedValue { $0 == nil } }),
            read: {
                for try await message in inbound.messages(maxSize: limits.maxClientBinary) {
                    switch message {
                    case .text(let text):
                        // PROTOCOL.md §12.1: text ≤ 4 KiB; larger closes the socket.
                        guard text.utf8.count <= limits.maxText else { return }
                        if await !handleText(text, outbox: outbox, current: current, strikes: strikes, control: control) { return }
                    case .binary(let buffer):
                        // PROTOCOL.md §12.1: the limit applies to the whole message (one-frame
                        // messages are not checked by the WebSocket layer); larger closes the socket.
                        guard buffer.readableBytes <= limits.maxClientBinary else { return }
                        guard let session = current.withLockedValue({ $0 }) else {
                            guard refuse(outbox, strikes, .badRequest, "Send {\"type\":\"connect\"} before any binary frame.") else { return }
                            continue
                        }
                        session.touch(hub.clock.now())
                        var framed = ByteBufferAllocator().buffer(capacity: session.prefix.count + buffer.readableBytes)
                        framed.writeBytes(session.prefix)
                        framed.writeImmutableBuffer(buffer)
                        let instanceOutbox = session.instance.outbox
                        switch instanceOutbox.push(.binary(framed)) {
                        case .queued where instanceOutbox.queuedBytes > instanceOutbox.highWater:
                            await instanceOutbox.waitForRoom()
                        case .overflow:
                            // Past the high-water mark every client waits, so only an instance that
                            // stopped reading gets here: it is closed, its sessions end (§12.4).
                            hub.logger.notice("instance not reading; closing it", metadata: ["instance_id": "\(session.instance.instanceID)"])
                            instanceOutbox.terminate()
                        case .queued, .closed:
                            break
                        }
                    }
                }
            })
    }

    /// Handles one control message; `false` ends the socket.
    private func handleText(
        _ text: String, outbox: Outbox, current: NIOLockedValueBox<RelaySession?>, strikes: Strikes, control: ControlRate
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
            current.withLockedValue { $0 }?.touch(hub.clock.now())
            outbox.push(.text(RelayMessage.pong.jsonText))
        case .pong:
            current.withLockedValue { $0 }?.touch(hub.clock.now())
        case .connect(let instanceID):
            return await connect(instanceID, outbox: outbox, current: current, strikes: strikes)
        case .close(_, let reason):
            guard let session = current.withLockedValue({ $0 }) else {
                return refuse(outbox, strikes, .badRequest, "There is no session to close.")
            }
            hub.endSession(session, reason: reason, toInstance: true, toClient: false)
            outbox.push(.closeSocket)
        case .unknown:
            break  // PROTOCOL.md §12.1: unknown types are ignored.
        case .challenge, .register, .registered, .error, .connection, .connected:
            return refuse(outbox, strikes, .badRequest, "\"\(message.type)\" is not a client message.")
        }
        return true
    }

    /// Opens the socket's session; `false` ends the socket (too many bad requests).
    private func connect(_ instanceID: String, outbox: Outbox, current: NIOLockedValueBox<RelaySession?>, strikes: Strikes) async -> Bool {
        // PROTOCOL.md §12.3: one session per socket; a second connect is a bad request.
        guard current.withLockedValue({ $0 }) == nil else {
            return refuse(outbox, strikes, .badRequest, "This socket already carries a session; open a new socket.")
        }
        guard RelaySessionID.isValid(instanceID) else {
            return refuse(outbox, strikes, .badRequest, "instance_id must be a lowercase UUID.")
        }
        if case .limited(let seconds) = connectLimiter.acquire(clientKey) {
            return refuse(outbox, strikes, .rateLimited, "Too many connects from this address; retry in \(seconds) s.")
        }
        let outcome = hub.openSession(instanceID: instanceID, clientKey: clientKey, clientOutbox: outbox)
        switch outcome {
        case .opened(let session):
            current.withLockedValue { $0 = session }
            let connected = RelayMessage.Connected(sessionID: session.id, instanceID: instanceID, publicKey: session.instance.publicKey)
            outbox.push(.text(RelayMessage.connected(connected).jsonText))
        case .offline, .notFound:
            guard let fleet = hub.fleet else {
                if case .offline = outcome {
                    reply(outbox, .instanceOffline, "The instance is offline; try again later.")
                } else {
                    reply(outbox, .instanceNotFound, "The relay does not know this instance.")
                }
                return true
            }
            // PROTOCOL.md §15: not on this node; the fleet's presence row says where it is.
            switch await fleet.locate(instanceID: instanceID) {
            case .elsewhere(let nodeURL):
                outbox.push(.text(RelayMoved.jsonText(relayURL: nodeURL)))
            case .offline:
                reply(outbox, .instanceOffline, "The instance is offline; try again later.")
            case .notFound:
                reply(outbox, .instanceNotFound, "The relay does not know this instance.")
            case .unavailable:
                reply(outbox, .unavailable, "The relay cannot reach its database to find this instance; try again shortly.")
            }
        case .limited:
            reply(outbox, .rateLimited, "The instance has too many sessions; try again later.")
        }
        return true
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
