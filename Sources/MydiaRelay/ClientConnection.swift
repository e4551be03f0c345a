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
        let outbox = Outbox(hardLimit: limits.maxBufferedPerSession, highWater: limits.maxBufferedPerSession)
        let current = NIOLockedValueBox<RelaySession?>(nil)
        defer {
            // The client went away (or was closed): the instance learns it, unless already told.
            if let session = current.withLockedValue({ $0 }) {
                hub.endSession(session, reason: .clientDisconnected, toInstance: true, toClient: false)
            }
        }
        try await SocketRunner.run(
            outbox: outbox, outbound: outbound,
            deadline: (hub.timeouts.firstMessage, { current.withLockedValue { $0 == nil } }),
            read: {
                for try await message in inbound.messages(maxSize: limits.maxClientBinary) {
                    switch message {
                    case .text(let text):
                        // PROTOCOL.md §12.1: text ≤ 4 KiB; larger closes the socket.
                        guard text.utf8.count <= limits.maxText else { return }
                        if !handleText(text, outbox: outbox, current: current) { return }
                    case .binary(let buffer):
                        // PROTOCOL.md §12.1: the limit applies to the whole message (one-frame
                        // messages are not checked by the WebSocket layer); larger closes the socket.
                        guard buffer.readableBytes <= limits.maxClientBinary else { return }
                        guard let session = current.withLockedValue({ $0 }) else {
                            reply(outbox, .badRequest, "Send {\"type\":\"connect\"} before any binary frame.")
                            continue
                        }
                        session.touch(hub.clock.now())
                        var framed = ByteBufferAllocator().buffer(capacity: session.prefix.count + buffer.readableBytes)
                        framed.writeBytes(session.prefix)
                        framed.writeImmutableBuffer(buffer)
                        let instanceOutbox = session.instance.outbox
                        if instanceOutbox.push(.binary(framed)) == .queued, instanceOutbox.queuedBytes > instanceOutbox.highWater {
                            await instanceOutbox.waitForRoom()
                        }
                    }
                }
            })
    }

    /// Handles one control message; `false` ends the socket.
    private func handleText(_ text: String, outbox: Outbox, current: NIOLockedValueBox<RelaySession?>) -> Bool {
        let message: RelayMessage
        do {
            message = try RelayMessage.decode(text)
        } catch {
            reply(outbox, .badRequest, error.description)
            return true
        }
        switch message {
        case .ping:
            current.withLockedValue { $0 }?.touch(hub.clock.now())
            outbox.push(.text(RelayMessage.pong.jsonText))
        case .pong:
            current.withLockedValue { $0 }?.touch(hub.clock.now())
        case .connect(let instanceID):
            connect(instanceID, outbox: outbox, current: current)
        case .close(_, let reason):
            guard let session = current.withLockedValue({ $0 }) else {
                reply(outbox, .badRequest, "There is no session to close.")
                return true
            }
            hub.endSession(session, reason: reason, toInstance: true, toClient: false)
            outbox.push(.closeSocket)
        case .unknown:
            break  // PROTOCOL.md §12.1: unknown types are ignored.
        case .challenge, .register, .registered, .error, .connection, .connected:
            reply(outbox, .badRequest, "\"\(message.type)\" is not a client message.")
        }
        return true
    }

    private func connect(_ instanceID: String, outbox: Outbox, current: NIOLockedValueBox<RelaySession?>) {
        // PROTOCOL.md §12.3: one session per socket; a second connect is a bad request.
        guard current.withLockedValue({ $0 }) == nil else {
            reply(outbox, .badRequest, "This socket already carries a session; open a new socket.")
            return
        }
        guard RelaySessionID.isValid(instanceID) else {
            reply(outbox, .badRequest, "instance_id must be a lowercase UUID.")
            return
        }
        if case .limited(let seconds) = connectLimiter.acquire(clientKey) {
            reply(outbox, .rateLimited, "Too many connects from this address; retry in \(seconds) s.")
            return
        }
        switch hub.openSession(instanceID: instanceID, clientKey: clientKey, clientOutbox: outbox) {
        case .opened(let session):
            current.withLockedValue { $0 = session }
            let connected = RelayMessage.Connected(sessionID: session.id, instanceID: instanceID, publicKey: session.instance.publicKey)
            outbox.push(.text(RelayMessage.connected(connected).jsonText))
        case .offline:
            reply(outbox, .instanceOffline, "The instance is offline; try again later.")
        case .notFound:
            reply(outbox, .instanceNotFound, "The relay does not know this instance.")
        case .limited:
            reply(outbox, .rateLimited, "The instance has too many sessions; try again later.")
        }
    }

    private func reply(_ outbox: Outbox, _ code: RelayErrorCode, _ message: String) {
        outbox.push(.text(RelayMessage.error(code: code, message: message).jsonText))
    }
}
