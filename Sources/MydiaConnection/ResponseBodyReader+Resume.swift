import Logging
import Synchronization

extension ResponseBodyReader {
    /// Continues the body after `outcome` cut its current source, or throws why it cannot.
    func resume(after outcome: ChunkSource.Outcome, of source: any BodySource, on path: PathKind?, linkID: Int?) async throws {
        switch resender {
        case .upstream(let send):
            // The manager below already did what its paths allow; only its retryable failures
            // (no path, a resume it could not make) are worth another request.
            guard case .failed(let error) = outcome else { throw ConnectionManager.Error.offline }
            guard let cut = error as? ConnectionManager.Error, cut.isRetryable else { throw error }
            try await continueBody(idempotent: true) { (try await send($0), nil) }
        case .manager(let manager, let exchangeID, let idempotent, _):
            if path == .relay, case .failed(let error) = outcome {
                let lostSession: Int?
                switch error {
                case is ExchangeInterrupted: lostSession = nil  // §12.11: the tunnel aborted the stream
                case is RelaySessionLost: lostSession = state.withLock { $0.relayGeneration }  // §13.38
                default: throw error
                }
                // Re-request the rest by Range, on the same session or on the next one.
                try await continueBody(idempotent: idempotent) { request in
                    let (response, generation) = if let lostSession {
                        try await manager.resend(request, exchangeID: exchangeID, after: lostSession)
                    } else {
                        try await manager.resend(request, exchangeID: exchangeID)
                    }
                    return (response, generation)
                }
                return
            }
            // The direct path failed or stalled under the body: it goes, the rest comes from the relay.
            source.abandon(with: .failed(DirectPathFailure.pathFailed))
            if let linkID {
                let stalled: Bool
                if case .stalled = outcome { stalled = true } else { stalled = false }
                await manager.directFailed(linkID: linkID, reason: stalled ? "direct body stalled" : "direct body failed")
            }
            try await continueBody(idempotent: idempotent) { request in
                let (response, generation) = try await manager.resend(request, exchangeID: exchangeID)
                return (response, generation)
            }
        }
    }

    /// Asks `resend` for the rest: the whole request again when nothing was delivered yet, else
    /// `Range` from the first undelivered byte with `If-Range` when the body had a strong etag
    /// (§12.16); checks the answer continues the body and reads on from it. `resend` also returns
    /// the manager's relay session count for a rest that came from the relay.
    private func continueBody(
        idempotent: Bool, _ resend: (PathRequest) async throws -> (PathResponse, relayGeneration: Int?)
    ) async throws {
        await flushReport()
        guard idempotent else { throw ConnectionManager.Error.interrupted(method: request.method, path: request.path) }
        let (delivered, resumes) = state.withLock { state -> (Int, Int) in
            state.resumes += 1
            return (state.delivered, state.resumes)
        }
        guard resumes <= Self.resumeLimit else {
            throw ConnectionManager.Error.resumeFailed("the connection kept failing")
        }
        var resumed = request
        var plan = ResumePlan.whole
        if delivered > 0 {
            plan = try ResumePlan.make(request: request, head: head, delivered: delivered)
            if case .range(let start, let end, let ifRange) = plan {
                resumed.headers["range"] = "bytes=\(start)-\(end.map { String($0) } ?? "")"
                if let ifRange { resumed.headers["if-range"] = ifRange }
            }
        }
        let (response, generation) = try await resend(resumed)
        let skip = try plan.validate(response, originalStatus: head.status, delivered: delivered)
        let source: any BodySource
        if case .manager(let manager, _, _, _) = resender {
            if case .range(let start, _, _) = plan {
                manager.logger.notice("body resumed on the relay by Range", metadata: ["from": "\(start)", "status": "\(response.status)"])
            }
            source = ChunkSource(response.body)
        } else {
            source = StreamSource(response.body)
        }
        state.withLock { state in
            state.source = source
            state.lastReport = nil
            if let generation {
                state.path = .relay
                state.relayGeneration = generation
            }
            state.linkID = nil
            state.skip = skip
        }
    }
}

/// Where a ``ResponseBodyReader`` takes its chunks from, one `take` at a time.
protocol BodySource: Sendable {
    /// Waits for the next chunk; after `stallAfter` without one, returns `.stalled`.
    func take(stallAfter: Duration?, clock: ManagerClock) async -> ChunkSource.Outcome
    /// Gives the body up: later takes get `outcome`.
    func abandon(with outcome: ChunkSource.Outcome)
}

extension ChunkSource: BodySource {}

/// A body read straight from its stream, for a reader with no stall deadline and nothing to
/// abandon it from outside (an upstream's body: the manager's own reader below keeps the deadline).
/// `@unchecked Sendable`: only the reader's single consumer calls `take`, one call at a time
/// (`AsyncThrowingStream(unfolding:)` never overlaps them), so the iterator needs no lock.
final class StreamSource: BodySource, @unchecked Sendable {
    private var iterator: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator
    private var abandoned: ChunkSource.Outcome?

    init(_ body: AsyncThrowingStream<[UInt8], any Error>) {
        iterator = body.makeAsyncIterator()
    }

    func take(stallAfter: Duration?, clock: ManagerClock) async -> ChunkSource.Outcome {
        if let abandoned { return abandoned }
        do {
            guard let chunk = try await iterator.next() else { return .end }
            return .chunk(chunk)
        } catch {
            return .failed(error)
        }
    }

    func abandon(with outcome: ChunkSource.Outcome) {
        abandoned = outcome
    }
}
