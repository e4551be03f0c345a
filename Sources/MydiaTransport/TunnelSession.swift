public import Logging
public import MydiaCrypto
public import MydiaWire
public import MydiaTunnel

/// The client's end of one end-to-end encrypted relay session (PROTOCOL.md §4, §5): the Noise IK
/// handshake through `E2EESession`, then HTTP-shaped requests multiplexed over the api channel with
/// streamed bodies on the media channel under credit flow control.
///
/// Every outgoing frame is sealed inside this actor and handed to the relay connection's single
/// writer in the same step, so frames leave strictly in counter order. Dropped frames (MAC
/// failure, replay) are logged and never close the session (§4.5).
public actor TunnelSession {
    /// Timeouts and limits.
    public struct Configuration: Sendable {
        /// Wait for message 2 while pairing: the operator may hold it for approval (§12.6 d: 130 s).
        public var pairingHandshakeTimeout: Duration
        /// Wait for message 2 on a reconnect.
        public var reconnectHandshakeTimeout: Duration
        /// At most this many requests in flight; more wait for a free slot (§5.1).
        public var maxInFlight: Int
        /// Credit each stream starts with (§5.3: 256 KiB). Only used to size grants.
        public var initialCredit: Int
        /// Consumed bytes are granted back in increments of at least this size, in whole media
        /// frames (PROTOCOL.md §13.10).
        public var creditBatch: Int
        /// The window each stream gets: when it is larger than `initialCredit`, the difference is
        /// granted with the response head (PROTOCOL.md §13.35), so the instance can keep a fast path
        /// full while credit for what the consumer took travels back. What is buffered per stream
        /// stays bounded by this. The default is 16 full media frames (1,048,496 bytes, §13.10).
        public var streamWindow: Int
        /// Rekey policy of the transport keys (§4.4).
        public var channel: SecureChannel.Configuration

        /// The protocol's defaults.
        public init(pairingHandshakeTimeout: Duration = .seconds(130), reconnectHandshakeTimeout: Duration = .seconds(30),
                    maxInFlight: Int = TunnelLimits.maxInFlight, initialCredit: Int = TunnelLimits.initialCredit, creditBatch: Int = 256 * 1024,
                    streamWindow: Int = 16 * MediaFrame.maxDataSize, channel: SecureChannel.Configuration = .init()) {
            self.pairingHandshakeTimeout = pairingHandshakeTimeout
            self.reconnectHandshakeTimeout = reconnectHandshakeTimeout
            self.maxInFlight = max(1, maxInFlight)
            self.initialCredit = initialCredit
            self.creditBatch = max(1, min(creditBatch, initialCredit))
            self.streamWindow = max(initialCredit, streamWindow)
            self.channel = channel
        }
    }

    /// Why the handshake or a request failed.
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// The instance answered message 1 with a failure (§4.3).
        case refused(HandshakeFailure)
        /// Message 2 did not verify or could not be read: the session was closed (§4.5).
        case handshakeFailed
        /// No message 2 in time.
        case handshakeTimedOut
        /// The session is over.
        case closed(RelayConnection.EndReason)
        /// Frames were withheld in transit (§12.11); retry the request (by Range for a stream).
        case framesWithheld
        /// The instance aborted the stream; the reason is the instance's text. Retry by Range.
        case streamAborted(String)
        /// The instance cancelled the request.
        case cancelledByInstance
        /// The request does not fit one api frame (§11.6).
        case requestTooLarge(Int)
        /// No `pong` in time.
        case pingTimedOut

        /// Whether the same request may succeed when sent again (on this or another path).
        public var isRetryable: Bool {
            switch self {
            case .framesWithheld, .streamAborted, .cancelledByInstance, .closed, .pingTimedOut, .handshakeTimedOut: true
            case .refused, .handshakeFailed, .requestTooLarge: false
            }
        }

        public var description: String {
            switch self {
            case .refused(let failure): failure.description
            case .handshakeFailed: "The server's identity could not be verified — the connection was closed."
            case .handshakeTimedOut: "The server did not answer the secure handshake in time — try again."
            case .closed(let reason): reason.description
            case .framesWithheld: "Data was lost on the way through the relay — the request will be retried."
            case .streamAborted(let why): "The server stopped sending (\(DisplayText.name(why))) — the request will be retried."
            case .cancelledByInstance: "The server cancelled the request."
            case .requestTooLarge(let n): "The request is too large for the tunnel (\(n) bytes)."
            case .pingTimedOut: "The server did not answer a ping in time."
            }
        }
    }

    enum Phase {
        case open
        case closed(RelayConnection.EndReason)
    }

    /// One request: waiting for its `res`, or a streamed body being delivered.
    enum Exchange {
        case awaitingHead(CheckedContinuation<TransportResponse, any Swift.Error>)
        case streaming(BodyPipe)
    }

    /// The relay session this tunnel runs over.
    public nonisolated let relay: RelayConnection
    /// The six-digit pairing check (§12.6 c), to show while pairing.
    public nonisolated let pairingCheck: String?
    let configuration: Configuration
    let logger: Logger

    var session: E2EESession
    var phase: Phase
    var exchanges: [UInt32: Exchange] = [:]
    var nextRequestID: UInt32 = 1
    var slotsUsed = 0
    var slotWaiters: [(ticket: Int, continuation: CheckedContinuation<Void, any Swift.Error>)] = []
    var nextTicket = 0
    var pings: [UInt64: CheckedContinuation<Void, any Swift.Error>] = [:]
    var nextPing: UInt64 = 1
    var dropLog = LogThrottle()

    /// The grant of message 2 (§4.3): tokens, device id, current direct URLs and certificate pin.
    public nonisolated let grant: HandshakeGrant

    /// Runs the handshake over `relay` and returns the open session.
    /// - Parameters:
    ///   - relay: a connected relay session (its `connected` was checked against the pin).
    ///   - clientKey: this device's static key for the instance.
    ///   - request: message 1's payload, `pair` or `reconnect`; it decides the wait for message 2.
    ///   - onPairingCheck: receives the pairing check as soon as message 1 is sent.
    /// - Throws: `Error.refused` with the instance's reason, `.handshakeFailed`, `.handshakeTimedOut`,
    ///   `.closed`. The relay session is closed on every failure.
    public static func establish(
        relay: RelayConnection, clientKey: X25519KeyPair, request: HandshakeRequest,
        configuration: Configuration = .init(), logger: Logger = Logger(label: "mydia.tunnel"),
        onPairingCheck: (@Sendable (String) -> Void)? = nil
    ) async throws(Error) -> TunnelSession {
        var session: E2EESession
        let message1: [UInt8]
        do {
            session = E2EESession(handshake: try .client(
                sessionID: relay.sessionID, instanceID: relay.instanceID, clientStatic: clientKey,
                instanceStaticKey: relay.instanceKey), configuration: configuration.channel)
            message1 = try session.writeHandshake(payload: request.encoded())
        } catch {
            relay.close()
            throw .handshakeFailed
        }
        if let check = session.pairingCheck { onPairingCheck?(check) }
        let limit: Duration = if case .pair = request { configuration.pairingHandshakeTimeout } else { configuration.reconnectHandshakeTimeout }
        relay.send(message1)

        // §12.8: the first binary message from the instance is message 2, whatever its first byte.
        let first = OneShot<FirstMessage>()
        let stream = relay.messages
        let reader = Task {
            var iterator = stream.makeAsyncIterator()
            first.fulfil(await iterator.next().map(FirstMessage.message) ?? .ended)
        }
        let timer = Task {
            try await Task.sleep(for: limit)
            first.fulfil(.timedOut)
        }
        let outcome = await first.value
        timer.cancel()
        let response: HandshakeResponse
        switch outcome {
        case .timedOut:
            relay.close()  // ends the stream, so the reader finishes too
            throw .handshakeTimedOut
        case .ended:
            throw .closed(await relay.ended())
        case .message(let message2):
            _ = await reader.value
            do {
                guard case .handshakePayload(let payload) = try session.receive(message2) else { throw Error.handshakeFailed }
                response = try HandshakeResponse(decoding: payload)
            } catch {
                relay.close()
                throw .handshakeFailed
            }
        }
        switch response {
        case .success(let grant):
            let tunnel = TunnelSession(relay: relay, session: session, grant: grant, configuration: configuration, logger: logger)
            await tunnel.start()
            return tunnel
        case .failure(let failure):
            relay.close()
            throw .refused(failure)
        }
    }

    private enum FirstMessage: Sendable {
        case message([UInt8])
        case ended
        case timedOut
    }

    private init(relay: RelayConnection, session: E2EESession, grant: HandshakeGrant, configuration: Configuration, logger: Logger) {
        self.relay = relay
        pairingCheck = session.pairingCheck
        self.configuration = configuration
        self.logger = logger
        self.session = session
        self.grant = grant
        phase = .open
    }

    /// Starts the reader task; it holds the session only while handling one message, so a session
    /// nobody references any more lets its relay connection go.
    private func start() {
        let stream = relay.messages
        let relay = self.relay
        Task { [weak self] in
            for await message in stream {
                guard let self else { return }
                await self.receive(message)
            }
            await self?.relayEnded(await relay.ended())
        }
    }

    /// Requests being answered (including streams still delivering).
    public var requestsInFlight: Int { exchanges.count }

    /// Whether requests can be sent.
    public var isOpen: Bool {
        if case .open = phase { return true }
        return false
    }

    /// Ends the session: every waiting request fails with `.closed(.closedLocally)`, the relay
    /// gets `close`, the keys are dropped.
    public func close() {
        shutDown(.closedLocally)
        relay.close()
    }

    func relayEnded(_ reason: RelayConnection.EndReason) { shutDown(reason) }

    func shutDown(_ reason: RelayConnection.EndReason) {
        guard case .open = phase else { return }
        phase = .closed(reason)
        session.close()
        failAll(.closed(reason), notifyInstance: false)
        for w in slotWaiters { w.continuation.resume(throwing: Error.closed(reason)) }
        slotWaiters.removeAll()
        for (_, c) in pings { c.resume(throwing: Error.closed(reason)) }
        pings.removeAll()
    }

    /// Seals one frame and queues it on the relay's writer in the same step (counter order).
    func send(_ channel: Channel, _ plaintext: [UInt8]) {
        guard case .open = phase else { return }
        do {
            relay.send(try session.seal(channel: channel, plaintext: plaintext))
        } catch {
            logger.error("cannot seal a tunnel frame; closing the session")
            close()
        }
    }

    func logDrop(_ reason: String) { logger.droppedTunnelFrame(reason, throttle: &dropLog) }
}
