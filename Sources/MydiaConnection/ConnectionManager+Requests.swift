import Logging

extension ConnectionManager {
    /// One request in flight through the manager.
    struct ExchangeRecord {
        var path: PathKind
        var directLinkID: Int?
        let isMedia: Bool
        /// Abandons the direct attempt or body now; set while the exchange is on the direct path.
        var abortDirect: (@Sendable () -> Void)?
    }

    /// Where a new request goes.
    enum Route {
        case relay(any RelaySession)
        case direct(DirectLink)
    }

    /// Sends one request on the current path and returns its head; the body streams afterwards
    /// and survives a fall back to the relay (PROTOCOL.md §8.3, §8.5).
    ///
    /// While the first relay connect (direct-only: the first probe round) runs, waits for it.
    /// Throws `Error.offline` (direct-only: `Error.directUnavailable`) when no path is
    /// usable, `Error.interrupted` when a non-idempotent request was cut by a direct failure,
    /// `Error.stopped` after `stop()`, and the relay transport's error when the relay fails.
    public func send(_ request: PathRequest) async throws -> PathResponse {
        let route = try await currentRoute()
        let idempotent = Idempotency.isIdempotent(request)
        switch route {
        case .relay(let session):
            let id = beginExchange(request, on: .relay, linkID: nil)
            return try await sendOnRelay(request, session: session, exchangeID: id, idempotent: idempotent)
        case .direct(let link):
            let id = beginExchange(request, on: .direct, linkID: link.id)
            let attempt = Attempt<PathResponse>()
            exchanges[id]?.abortDirect = { attempt.abort() }
            let direct = directPath
            do {
                // PROTOCOL.md §8.5: no byte (not even the head) for 3 s while the caller waits fails the path.
                let head = try await attempt.run(timeout: policy.directStallTimeout, clock: clock) {
                    try await direct.send(request, to: link.url, fingerprint: link.fingerprint)
                }
                return wrap(head, request: request, exchangeID: id, path: .direct, linkID: link.id, idempotent: idempotent)
            } catch {
                if error is CancellationError || Task.isCancelled {
                    endExchange(id)
                    throw CancellationError()
                }
                let reason: String
                switch error as? AttemptInterruption {
                case .timedOut?: reason = "direct response stalled"
                case .aborted?: reason = "direct path failed"
                case nil: reason = "direct request failed: \(Self.describe(error))"
                }
                directFailed(linkID: link.id, reason: reason)
                return try await reissue(request, exchangeID: id, idempotent: idempotent)
            }
        }
    }

    /// Sends a request that was cut on the direct path again on the relay, if it may be repeated.
    private func reissue(_ request: PathRequest, exchangeID: Int, idempotent: Bool) async throws -> PathResponse {
        guard idempotent else {
            endExchange(exchangeID)
            throw Error.interrupted(method: request.method, path: request.path)
        }
        guard let session = relaySession else {
            endExchange(exchangeID)
            throw Error.offline
        }
        move(exchangeID, to: .relay)
        return try await sendOnRelay(request, session: session, exchangeID: exchangeID, idempotent: idempotent)
    }

    private func sendOnRelay(_ request: PathRequest, session: any RelaySession, exchangeID: Int, idempotent: Bool) async throws -> PathResponse {
        var interruptions = 0
        while true {
            relayStatistics.bytesSent += request.body.count
            do {
                let head = try await session.send(request)
                return wrap(head, request: request, exchangeID: exchangeID, path: .relay, linkID: nil, idempotent: idempotent)
            } catch let interruption as ExchangeInterrupted {
                // PROTOCOL.md §12.11: re-issue idempotent requests, fail the others retryably.
                interruptions += 1
                guard idempotent, interruptions <= Self.interruptionRetryLimit else {
                    endExchange(exchangeID)
                    logger.notice("relay exchange interrupted", metadata: ["reason": "\(interruption.reason)"])
                    throw Error.interrupted(method: request.method, path: request.path)
                }
            } catch {
                endExchange(exchangeID)
                throw error
            }
        }
    }

    /// How often one exchange is re-issued after `ExchangeInterrupted` before giving up.
    static var interruptionRetryLimit: Int { 3 }

    /// Re-sends the rest of a body's request on the relay for `ResponseBodyReader` (§8.5).
    func resend(_ request: PathRequest, exchangeID: Int) async throws -> (PathResponse, relayGeneration: Int) {
        guard exchanges[exchangeID] != nil else { throw Error.stopped }
        guard let session = relaySession else { throw Error.offline }
        let generation = relayGeneration
        move(exchangeID, to: .relay)
        relayStatistics.bytesSent += request.body.count
        return (try await session.send(request), generation)
    }

    /// `resend` on a relay session newer than `lost`, the one that ended under a body (§13.38):
    /// waits until the manager has reconnected, up to `policy.resumeWait`. Throws `Error.offline`
    /// (or the relay's refusal) when no new session came in time, `Error.stopped` after `stop()`.
    func resend(_ request: PathRequest, exchangeID: Int, after lost: Int) async throws -> (PathResponse, relayGeneration: Int) {
        let deadline = clock.now() + policy.resumeWait
        while relaySession == nil || relayGeneration <= lost {
            guard exchanges[exchangeID] != nil, !isStopped else { throw Error.stopped }
            let now = clock.now()
            guard now < deadline else { throw relayRefusal ?? Error.offline }
            try Task.checkCancellation()
            // The relay loop reconnects on its own; look again at each change or every 100 ms.
            let nextLook = min(now + .milliseconds(100), deadline)
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.waitForStateChange() }
                group.addTask { [clock] in try? await clock.sleepUntil(nextLook) }
                await group.next()
                group.cancelAll()
            }
        }
        return try await resend(request, exchangeID: exchangeID)
    }

    private func currentRoute() async throws -> Route {
        while true {
            switch state {
            case .dual(let link), .direct(let link):
                return .direct(link)
            case .relay:
                guard let session = relaySession else { throw relayRefusal ?? Error.offline }
                return .relay(session)
            case .idle, .connecting:
                try Task.checkCancellation()
                await waitForStateChange()
            case .offline where firstProbeRoundPending:
                // The relay failed before the first probe round ended: the direct path may answer yet.
                try Task.checkCancellation()
                await waitForStateChange()
            case .offline:
                if isDirectOnly, let verdict = directRefusal { throw Error.directUnavailable(verdict) }
                throw relayRefusal ?? Error.offline
            case .stopped:
                throw Error.stopped
            }
        }
    }

    private func beginExchange(_ request: PathRequest, on path: PathKind, linkID: Int?) -> Int {
        nextExchangeID += 1
        let path0 = request.path
        let isMedia = request.method == "GET" && (path0.hasPrefix("/api/v1/hls/") || path0.hasPrefix("/api/v1/stream/"))
        exchanges[nextExchangeID] = ExchangeRecord(path: path, directLinkID: linkID, isMedia: isMedia)
        if path == .direct { directStatistics.bytesSent += request.body.count }
        if path == .relay, isMedia { applyStreamingCap() }
        publish()
        return nextExchangeID
    }

    private func move(_ id: Int, to path: PathKind) {
        guard var exchange = exchanges[id], exchange.path != path else { return }
        exchange.path = path
        exchange.abortDirect = nil
        exchange.directLinkID = nil
        exchanges[id] = exchange
        if path == .relay, exchange.isMedia { applyStreamingCap() }
        publish()
    }

    /// Registers how to abandon an exchange's direct body (the reader's current source).
    func setDirectAbort(_ id: Int, _ abort: @escaping @Sendable () -> Void) {
        guard exchanges[id]?.path == .direct else { return }
        exchanges[id]?.abortDirect = abort
    }

    /// The exchange finished (body ended, failed, or was dropped).
    func endExchange(_ id: Int) {
        guard exchanges.removeValue(forKey: id) != nil else { return }
        publish()
        checkDrained()
    }

    /// Counts body bytes delivered to the caller.
    func recordReceived(_ count: Int, on path: PathKind) {
        switch path {
        case .relay: relayStatistics.bytesReceived += count
        case .direct: directStatistics.bytesReceived += count
        }
        publish()
    }

    func inFlight(on path: PathKind) -> Int {
        exchanges.values.reduce(0) { $0 + ($1.path == path ? 1 : 0) }
    }

    /// Whether a direct exchange belongs to the link in use (a stale failure must not demote a newer link).
    func linkID(of exchangeID: Int) -> Int? {
        exchanges[exchangeID]?.directLinkID
    }

    private func wrap(_ head: PathResponse, request: PathRequest, exchangeID: Int, path: PathKind, linkID: Int?, idempotent: Bool) -> PathResponse {
        let reader = ResponseBodyReader(
            manager: self, exchangeID: exchangeID, request: request, head: head, path: path,
            linkID: linkID, relayGeneration: relayGeneration, idempotent: idempotent, stallTimeout: policy.directStallTimeout, clock: clock)
        if path == .direct { setDirectAbort(exchangeID) { [weak reader] in reader?.abandonDirect() } }
        return PathResponse(status: head.status, headers: head.headers, body: AsyncThrowingStream(unfolding: { try await reader.next() }))
    }
}
