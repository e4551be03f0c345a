public import Logging
public import MydiaCrypto
import MydiaStreaming
public import MydiaTunnel
import MydiaWire
import NIOCore

/// The instance's side of one established tunnel (PROTOCOL.md §5): decrypts what the client
/// sends, runs each request against the instance API, and answers inline or as a credit-limited
/// stream on the media channel. One stream waiting for credit never holds up the api channel or
/// another stream.
///
/// Outgoing frames are sealed here (one counter, in order), each straight into the buffer its socket
/// sends, and handed to the sink in exactly that order, on the actor: the sink queues them for
/// whoever owns the socket (PROTOCOL.md §13.9, §13.10).
public actor TunnelResponder {
    /// Bodies up to this size go inline; larger ones stream.
    static let inlineLimit = 32 * 1024
    /// A file body is read this many bytes at a time: four whole media frames, so every frame of
    /// it but the last carries the most one frame can (§13.10).
    static let fileReadSize = 4 * MediaFrame.maxDataSize

    struct InFlight {
        let task: Task<Void, Never>
        let credit: StreamCredit
        var streaming = false
    }

    private var session: E2EESession
    private let deviceID: String
    private let handler: any APIHandler
    private let sink: TunnelFrameSink
    private let logger: Logger
    private var lastRequestID: UInt32?
    private var inFlight: [UInt32: InFlight] = [:]
    private var dropLog = LogThrottle()
    private var closed = false

    /// - Parameters:
    ///   - session: an established session (the handshake is done).
    ///   - deviceID: the device the handshake authenticated; requests carry it.
    ///   - sink: receives every sealed frame, in counter order; it must not block.
    public init(session: E2EESession, deviceID: String, handler: any APIHandler, sink: TunnelFrameSink, logger: Logger) {
        precondition(session.isEstablished, "TunnelResponder needs a finished handshake")
        self.session = session
        self.deviceID = deviceID
        self.handler = handler
        self.sink = sink
        self.logger = logger
    }

    /// Number of requests being answered.
    public var requestsInFlight: Int { inFlight.count }

    /// The send credit request `id` holds right now (tests), `nil` when it is not in flight.
    func credit(of id: UInt32) -> Int? { inFlight[id]?.credit.available }

    /// Handles one binary message from the client.
    public func receive(_ message: [UInt8]) {
        guard !closed else { return }
        let event: E2EESession.Event
        do {
            event = try session.receive(message)
        } catch {
            close()
            return
        }
        switch event {
        case .dropped(let reason):
            logDrop(reason.description)
        case .handshakePayload:
            break  // cannot happen once established
        case .frame(let frame):
            if frame.skippedCounters > 0 { abortOpenStreams(skipped: frame.skippedCounters) }
            // Clients send nothing on the media channel; request bodies fit in one api frame (§11.6).
            if frame.channel == .api { handle(frame.plaintext) }
        }
    }

    /// Ends the tunnel: every request is cancelled, keys are dropped, nothing more goes out.
    public func close() {
        guard !closed else { return }
        closed = true
        for (_, f) in inFlight { f.credit.cancel(); f.task.cancel() }
        inFlight.removeAll()
        session.close()
    }

    private func handle(_ plaintext: [UInt8]) {
        let message: TunnelMessage
        do {
            message = try TunnelMessage(decoding: plaintext)
        } catch {
            logDrop("undecodable api message")
            return
        }
        switch message {
        case .request(let request): start(request)
        case .cancel(let id):
            if let f = inFlight.removeValue(forKey: id) { f.credit.cancel(); f.task.cancel() }
        case .ping(let n): send(.api, TunnelMessage.pong(n: n).encoded())
        case .credit(let id, let bytes):
            // Past the window is clamped, not an error: the spec names no reset for it (§5.3).
            if let credit = inFlight[id]?.credit, !credit.grant(Int(clamping: bytes)), creditLog.admit() {
                logger.notice("the client granted more stream credit than the window; clamped", metadata: ["request": "\(id)"])
            }
        case .rekey: session.requestRekey()
        case .response, .pong, .unknown: break
        }
    }

    private func start(_ request: TunnelRequest) {
        if let last = lastRequestID, request.id <= last {
            sendInline(TunnelResponse(id: request.id, status: 400, headers: ["content-type": "application/json"],
                                      body: Array(#"{"error":"bad_request","message":"request ids must increase"}"#.utf8)))
            return
        }
        lastRequestID = request.id
        guard inFlight.count < TunnelLimits.maxInFlight else {
            sendInline(TunnelResponse(id: request.id, status: 429, headers: ["content-type": "application/json"],
                                      body: Array(#"{"error":"rate_limited","message":"at most 64 requests in flight"}"#.utf8)))
            return
        }
        let credit = StreamCredit(initial: TunnelLimits.initialCredit)
        let api = APIRequest(method: request.method, target: request.path, headers: request.headers,
                             body: request.body, tunnelDeviceID: deviceID)
        let handler = self.handler
        let task = Task {
            let response = await handler.handle(api)
            await self.deliver(id: request.id, response, credit: credit)
        }
        inFlight[request.id] = InFlight(task: task, credit: credit)
    }

    /// Sends the response: inline when it is small and in memory, otherwise a `res` head followed
    /// by media frames, each waiting for credit.
    private func deliver(id: UInt32, _ response: APIResponse, credit: StreamCredit) async {
        defer { finish(id) }
        guard inFlight[id] != nil, !closed else { return }
        if case .bytes(let body) = response.body, body.count <= Self.inlineLimit {
            let inline = TunnelResponse(id: id, status: response.status, headers: response.headers, body: body)
            if sendInline(inline) { return }
        }
        send(.api, TunnelMessage.response(TunnelResponse(id: id, status: response.status, headers: response.headers, streamed: true)).encoded())
        inFlight[id]?.streaming = true
        do {
            switch response.body {
            case .bytes(let body):
                try await stream(id: id, body[...], credit: credit)
            case .file(let file):
                try await stream(id: id, file.readingChunks(of: Self.fileReadSize).pulledStream(), credit: credit)
            case .stream(let chunks):
                try await stream(id: id, chunks, credit: credit)
            }
            guard inFlight[id] != nil, !closed else { return }
            send(.media, MediaFrame(streamID: id, flags: .end).encoded())
        } catch is CancellationError {
            // Cancelled by the client or by close(); nothing more goes out for this id.
        } catch {
            guard inFlight[id] != nil, !closed else { return }
            logger.warning("stream failed", metadata: ["request": "\(id)", "error": "\(error)"])
            send(.media, MediaFrame.aborted(id, reason: "the server could not read the stream").encoded())
        }
    }

    /// Sends each chunk as it comes, in frames as `stream(id:_:credit:)` makes them.
    private func stream(id: UInt32, _ chunks: AsyncThrowingStream<[UInt8], any Error>, credit: StreamCredit) async throws {
        for try await chunk in chunks {
            try Task.checkCancellation()
            try await stream(id: id, chunk[...], credit: credit)
        }
    }

    /// Sends `data` as media frames of up to 64 KiB (the most one frame carries, §13.9), never
    /// beyond the granted credit.
    private func stream(id: UInt32, _ data: ArraySlice<UInt8>, credit: StreamCredit) async throws {
        var rest = data
        while !rest.isEmpty {
            let n = try await credit.take(upTo: min(rest.count, MediaFrame.maxDataSize))
            guard inFlight[id] != nil, !closed else { throw CancellationError() }
            let data = rest.prefix(n)
            send(.media, plaintextCount: MediaFrame.prefixLength + n) { plaintext in
                MediaFrame.writePrefix(streamID: id, flags: [], to: plaintext)
                data.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: plaintext[MediaFrame.prefixLength...]).copyMemory(from: $0) }
            }
            rest = rest.dropFirst(n)
        }
    }

    /// Seals an inline response if it fits one frame; `false` if it must be streamed instead.
    @discardableResult
    private func sendInline(_ response: TunnelResponse) -> Bool {
        let plaintext = TunnelMessage.response(response).encoded()
        guard plaintext.count <= FrameHeader.maxPlaintext else { return false }
        send(.api, plaintext)
        return true
    }

    private func send(_ channel: MydiaCrypto.Channel, _ plaintext: [UInt8]) {
        send(channel, plaintextCount: plaintext.count) { out in plaintext.withUnsafeBytes { out.copyMemory(from: $0) } }
    }

    /// Seals one frame into the sink's buffer, `write` filling its plaintext in place.
    private func send(_ channel: MydiaCrypto.Channel, plaintextCount: Int, _ write: (UnsafeMutableRawBufferPointer) -> Void) {
        guard !closed else { return }
        do {
            try session.seal(channel: channel, plaintextCount: plaintextCount, into: sink, write)
        } catch {
            logger.error("cannot seal a frame; closing the tunnel", metadata: ["error": "\(error)"])
            close()
        }
    }

    private func finish(_ id: UInt32) { inFlight.removeValue(forKey: id) }

    /// Frames were withheld in transit (§12.11): abort every open media stream; the client
    /// re-requests by Range. Requests whose response has not started carry on.
    private func abortOpenStreams(skipped: UInt64) {
        // A peer that keeps withholding frames must not flood the log: one line per interval.
        if gapLog.admit() {
            logger.warning("counter gap on tunnel: frames were withheld in transit", metadata: ["skipped": "\(skipped)"])
        }
        for (id, f) in inFlight where f.streaming {
            f.credit.cancel()
            f.task.cancel()
            inFlight.removeValue(forKey: id)
            send(.media, MediaFrame.aborted(id, reason: "frames were withheld in transit").encoded())
        }
    }

    private func logDrop(_ reason: String) { logger.droppedTunnelFrame(reason, throttle: &dropLog) }

    /// Throttles the counter-gap warning the way `dropLog` throttles drops.
    private var gapLog = LogThrottle()
    /// Throttles the over-window credit notice.
    private var creditLog = LogThrottle()
}
