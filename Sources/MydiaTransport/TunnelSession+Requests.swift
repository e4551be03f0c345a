import Logging
import MydiaCrypto
import MydiaWire
import Synchronization

extension TunnelSession {
    /// Sends one HTTP-shaped request through the tunnel (§5.1) and returns the response head with its
    /// body, inline or streamed alike. With 64 requests in flight the call waits for a free slot.
    ///
    /// Cancelling the calling task before the head arrives, or the task consuming the body before
    /// its end, sends `{"t":"cancel","id"}`.
    /// - Parameters:
    ///   - path: origin-form with query (`/api/graphql`).
    ///   - headers: sent with lowercase names (§12.13); add `authorization` yourself (§11.3).
    ///   - body: must fit one api frame with its JSON envelope (§11.6).
    public func request(
        method: String, path: String, headers: [String: String] = [:], body: [UInt8] = []
    ) async throws -> TransportResponse {
        try ensureOpen()
        var lowercased: [String: String] = [:]
        for (name, value) in headers {
            let key = name.lowercased()
            lowercased[key] = lowercased[key].map { "\($0), \(value)" } ?? value
        }
        try await acquireSlot()
        if case .closed(let reason) = phase {
            releaseSlot()
            throw Error.closed(reason)
        }
        let id = nextRequestID
        nextRequestID &+= 1
        let plaintext = TunnelMessage.request(TunnelRequest(id: id, method: method, path: path, headers: lowercased, body: body)).encoded()
        guard plaintext.count <= FrameHeader.maxPlaintext else {
            releaseSlot()
            throw Error.requestTooLarge(plaintext.count)
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<TransportResponse, any Swift.Error>) in
                exchanges[id] = .awaitingHead(c)
                send(.api, plaintext)
            }
        } onCancel: {
            Task { await self.cancelWaitingHead(id) }
        }
    }

    /// Measures the round-trip time over the tunnel with `{"t":"ping","n"}` (§5.1).
    public func ping(timeout: Duration = .seconds(10)) async throws -> Duration {
        try ensureOpen()
        let n = nextPing
        nextPing &+= 1
        let started = ContinuousClock.now
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            await self?.resolvePing(n, error: Error.pingTimedOut)
        }
        defer { timer.cancel() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Swift.Error>) in
                pings[n] = c
                send(.api, TunnelMessage.ping(n: n).encoded())
            }
        } onCancel: {
            Task { await self.resolvePing(n, error: CancellationError()) }
        }
        return ContinuousClock.now - started
    }

    func ensureOpen() throws {
        if case .closed(let reason) = phase { throw Error.closed(reason) }
    }

    // MARK: Slots (§5.1: at most 64 in flight)

    func acquireSlot() async throws {
        try Task.checkCancellation()
        if slotsUsed < configuration.maxInFlight && slotWaiters.isEmpty {
            slotsUsed += 1
            return
        }
        let ticket = nextTicket
        nextTicket += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Swift.Error>) in
                slotWaiters.append((ticket, c))
            }
        } onCancel: {
            Task { await self.cancelSlotWaiter(ticket) }
        }
    }

    /// Frees a slot, handing it straight to the longest waiter.
    func releaseSlot() {
        if slotWaiters.isEmpty {
            slotsUsed -= 1
        } else {
            slotWaiters.removeFirst().continuation.resume()
        }
    }

    private func cancelSlotWaiter(_ ticket: Int) {
        guard let index = slotWaiters.firstIndex(where: { $0.ticket == ticket }) else { return }
        slotWaiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }

    /// Forgets an exchange and frees its slot.
    @discardableResult
    func remove(_ id: UInt32) -> Exchange? {
        guard let exchange = exchanges.removeValue(forKey: id) else { return nil }
        releaseSlot()
        return exchange
    }

    // MARK: Cancellation

    private func cancelWaitingHead(_ id: UInt32) {
        guard case .awaitingHead(let c)? = exchanges[id] else { return }
        remove(id)
        send(.api, TunnelMessage.cancel(id: id).encoded())
        c.resume(throwing: CancellationError())
    }

    /// The body's consumer gave up before the end.
    func streamCancelled(_ id: UInt32) {
        guard case .streaming? = exchanges[id] else { return }
        remove(id)
        send(.api, TunnelMessage.cancel(id: id).encoded())
    }

    /// Grants `bytes` of a stream's consumed data back (§5.3, increments per §11.6).
    func grant(_ id: UInt32, _ bytes: Int) {
        guard case .streaming? = exchanges[id] else { return }
        send(.api, TunnelMessage.credit(id: id, bytes: UInt64(bytes)).encoded())
    }

    private func resolvePing(_ n: UInt64, error: (any Swift.Error)?) {
        guard let c = pings.removeValue(forKey: n) else { return }
        if let error { c.resume(throwing: error) } else { c.resume() }
    }

    /// Fails every request and stream; optionally tells the instance to stop working on them.
    func failAll(_ error: Error, notifyInstance: Bool) {
        let all = exchanges
        for (id, exchange) in all {
            remove(id)
            if notifyInstance { send(.api, TunnelMessage.cancel(id: id).encoded()) }
            switch exchange {
            case .awaitingHead(let c): c.resume(throwing: error)
            case .streaming(let pipe): pipe.fail(error)
            }
        }
    }

    // MARK: Receiving

    /// Handles one binary message from the relay.
    func receive(_ message: [UInt8]) {
        guard case .open = phase else { return }
        let event: E2EESession.Event
        do {
            event = try session.receive(message)
        } catch {
            close()
            return
        }
        switch event {
        case .handshakePayload:
            logDrop("handshake message after completion")
        case .dropped(let reason):
            logDrop(reason.description)
        case .frame(let frame):
            if frame.skippedCounters > 0 { framesWereWithheld(frame.skippedCounters) }
            switch frame.channel {
            case .api: handleAPI(frame.plaintext)
            case .media: handleMedia(frame.plaintext)
            }
        }
    }

    /// §12.11: abort the open streams and fail the other requests, all retryably; the instance is
    /// told to stop working on them.
    private func framesWereWithheld(_ skipped: UInt64) {
        logger.warning("counter gap on tunnel: frames were withheld in transit", metadata: ["skipped": "\(skipped)"])
        failAll(.framesWithheld, notifyInstance: true)
    }

    private func handleAPI(_ plaintext: [UInt8]) {
        let message: TunnelMessage
        do {
            message = try TunnelMessage(decoding: plaintext)
        } catch {
            logDrop("undecodable api message")
            return
        }
        switch message {
        case .response(let response): deliver(response)
        case .cancel(let id):
            switch remove(id) {
            case .awaitingHead(let c)?: c.resume(throwing: Error.cancelledByInstance)
            case .streaming(let pipe)?: pipe.fail(Error.cancelledByInstance)
            case nil: break
            }
        case .ping(let n): send(.api, TunnelMessage.pong(n: n).encoded())
        case .pong(let n): resolvePing(n, error: nil)
        case .rekey: session.requestRekey()  // §11.12: new transmit key at the next send
        case .request, .credit, .unknown: break  // the client serves nothing and streams nothing
        }
    }

    private func deliver(_ response: TunnelResponse) {
        guard case .awaitingHead(let c)? = exchanges[response.id] else { return }  // unknown or cancelled (§12.13)
        guard response.isStreamed else {
            remove(response.id)
            c.resume(returning: TransportResponse(status: response.status, headers: response.headers, body: .complete(response.body)))
            return
        }
        let id = response.id
        // Consumed bytes are counted where the consumer takes them; only a whole batch hops here.
        let credit = CreditBatcher(batch: configuration.creditBatch, unit: MediaFrame.maxDataSize)
        let pipe = BodyPipe(
            onConsume: { [weak self] n in
                if let bytes = credit.add(n) { Task { await self?.grant(id, bytes) } }
            },
            onCancel: { [weak self] in Task { await self?.streamCancelled(id) } })
        exchanges[id] = .streaming(pipe)
        let extra = configuration.streamWindow - configuration.initialCredit
        if extra > 0 { send(.api, TunnelMessage.credit(id: id, bytes: UInt64(extra)).encoded()) }
        c.resume(returning: TransportResponse(status: response.status, headers: response.headers, body: ResponseBody(pipe: pipe)))
    }

    private func handleMedia(_ plaintext: [UInt8]) {
        guard let frame = try? MediaFrame(decoding: plaintext) else {
            logDrop("undecodable media frame")
            return
        }
        guard case .streaming(let pipe)? = exchanges[frame.streamID] else { return }  // unknown or cancelled
        if frame.isAborted {
            remove(frame.streamID)
            pipe.fail(Error.streamAborted(String(decoding: frame.data, as: UTF8.self)))
            return
        }
        if !frame.data.isEmpty { pipe.push(frame.data) }
        if frame.isEnd {
            remove(frame.streamID)
            pipe.finish()
        }
    }
}

/// A stream's consumed bytes, granted back in batches (§5.3, §13.35, §13.10). Counted under a lock
/// where the consumer takes them, so only a whole batch costs a hop to the session. A grant is at
/// least `batch` bytes and a whole number of `unit`s (full media frames): with a window of whole
/// frames the instance's credit then stays in whole frames, and every frame it sends is full.
final class CreditBatcher: Sendable {
    private let pending = Mutex(0)
    let batch: Int
    let unit: Int

    init(batch: Int, unit: Int) {
        self.batch = max(1, batch)
        self.unit = max(1, unit)
    }

    /// Counts `bytes` taken by the consumer; returns the grant to send now, if any.
    func add(_ bytes: Int) -> Int? {
        pending.withLock { pending in
            pending += bytes
            guard pending >= batch else { return nil }
            let grant = pending - pending % unit
            guard grant > 0 else { return nil }
            pending -= grant
            return grant
        }
    }
}
