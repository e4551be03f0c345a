import Logging
import Synchronization

/// The caller's view of one response body, and the client's one engine that continues a cut body
/// by `Range` from the first byte not yet delivered, so the caller sees one seamless body
/// (PROTOCOL.md §8.5, §12.16). Where the rest comes from is its ``Resender``:
///
/// - The manager's own exchanges: when the direct path fails mid-body the rest comes from the
///   relay at once; a body cut by the end of its relay session continues on the next relay session
///   (§13.38), one cut by a tunnel abort on the same one (§12.11).
/// - An upstream above the manager (``continuing(_:of:resend:)``): when the manager gave up on a
///   body retryably (both paths lost), the rest is sent through that upstream once it answers,
///   e.g. the playback's, which waits for a path and follows a replaced session (§13.44).
///
/// Either way: the same request again while nothing was delivered, else `Range` (with `If-Range`
/// for a strong etag) checked against the answer, at most ``resumeLimit`` times per body.
public final class ResponseBodyReader: Sendable {
    /// Where the rest of a cut body comes from.
    enum Resender: Sendable {
        /// The manager's exchange `id`: its relay, after a direct failure or a relay cut.
        case manager(ConnectionManager, exchangeID: Int, idempotent: Bool, stallTimeout: Duration)
        /// A caller's upstream above the manager, for a body the manager gave up on retryably.
        case upstream(@Sendable (PathRequest) async throws -> PathResponse)
    }

    struct State {
        var source: (any BodySource)?
        /// The manager's path under the current source (`nil` for an upstream's body).
        var path: PathKind?
        var linkID: Int?
        /// The manager's relay session count when the current source started (on the relay path).
        var relayGeneration: Int
        /// Bytes handed to the caller so far.
        var delivered = 0
        /// Bytes of a resumed body to drop before delivering (a server that ignored `Range`).
        var skip = 0
        var finished = false
        /// How often this body was continued on another request.
        var resumes = 0
        /// Bytes delivered on `path` but not yet added to the manager's per-path counters.
        var unreported = 0
        /// When delivered bytes were last added to the counters (`nil`: not yet on this source).
        var lastReport: Duration?
    }

    let resender: Resender
    let request: PathRequest
    let head: PathResponse
    let clock: ManagerClock
    let state: Mutex<State>

    /// A reader of one of the manager's exchanges.
    init(
        manager: ConnectionManager, exchangeID: Int, request: PathRequest, head: PathResponse, path: PathKind,
        linkID: Int?, relayGeneration: Int, idempotent: Bool, stallTimeout: Duration, clock: ManagerClock
    ) {
        self.resender = .manager(manager, exchangeID: exchangeID, idempotent: idempotent, stallTimeout: stallTimeout)
        self.request = request
        self.head = head
        self.clock = clock
        self.state = Mutex(State(source: ChunkSource(head.body), path: path, linkID: linkID, relayGeneration: relayGeneration))
    }

    /// A reader of an upstream's response: no stall deadline, nothing counted, no read-ahead.
    private init(request: PathRequest, head: PathResponse, resend: @escaping @Sendable (PathRequest) async throws -> PathResponse) {
        self.resender = .upstream(resend)
        self.request = request
        self.head = head
        self.clock = ManagerClock(ContinuousClock())
        self.state = Mutex(State(source: StreamSource(head.body), path: nil, linkID: nil, relayGeneration: 0))
    }

    deinit {
        let (source, finished, report, path) = state.withLock { ($0.source, $0.finished, $0.unreported, $0.path) }
        source?.abandon(with: .cancelled)
        if !finished, case .manager(let manager, let id, _, _) = resender {
            Task {
                if report > 0, let path { await manager.recordReceived(report, on: path) }
                await manager.endExchange(id)
            }
        }
    }

    /// `response` (to `request`, sent through an upstream above the manager) with a body that,
    /// when it breaks off with a retryable ``ConnectionManager/Error`` — the manager could not
    /// continue it on its own paths — continues from its first undelivered byte: the rest is asked
    /// of `resend`. A response whose body cannot be continued part-way (not a `GET`, not 200/206, a
    /// playlist, §12.16) is returned as it is.
    /// - Parameters:
    ///   - response: the upstream's response.
    ///   - request: the request that got it.
    ///   - resend: sends the request for the rest (it may wait for a path, or move the request).
    public static func continuing(
        _ response: PathResponse, of request: PathRequest,
        resend: @escaping @Sendable (PathRequest) async throws -> PathResponse
    ) -> PathResponse {
        guard response.status == 200 || response.status == 206, ResumePlan.canContinuePartWay(request, head: response) else {
            return response
        }
        let reader = ResponseBodyReader(request: request, head: response, resend: resend)
        var continuing = response
        continuing.body = AsyncThrowingStream(unfolding: { try await reader.next() })
        return continuing
    }

    /// How often one body is continued before the caller gets an error.
    static var resumeLimit: Int { 8 }

    /// Delivered bytes are added to the manager's counters at once for a source's first chunk, then
    /// in batches of about this size or this often, and at the end of the body or a path change:
    /// one actor hop per chunk costs more than the chunk's copy.
    static var reportBatch: Int { 256 * 1024 }
    static var reportInterval: Duration { .milliseconds(250) }

    /// Called by the manager when the direct path fails under this body.
    func abandonDirect() {
        let source = state.withLock { $0.path == .direct ? $0.source : nil }
        source?.abandon(with: .failed(DirectPathFailure.pathFailed))
    }

    /// The next chunk for the caller, `nil` at the end.
    func next() async throws -> [UInt8]? {
        while true {
            let (source, path, linkID) = state.withLock { ($0.source, $0.path, $0.linkID) }
            guard let source else { return nil }
            let outcome = await source.take(stallAfter: stallTimeout(on: path), clock: clock)
            switch outcome {
            case .chunk(var chunk):
                let dropped = await deliver(chunk.count, on: path)
                if dropped > 0 { chunk.removeFirst(dropped) }
                if chunk.isEmpty { continue }
                return chunk
            case .end:
                await finish()
                return nil
            case .cancelled:
                source.abandon(with: .cancelled)
                await finish()
                throw CancellationError()
            case .failed, .stalled:
                do {
                    try await resume(after: outcome, of: source, on: path, linkID: linkID)
                } catch {
                    await finish()
                    throw error
                }
            }
        }
    }

    /// The manager's stall deadline for a wait on the direct path (§8.5); none elsewhere.
    private func stallTimeout(on path: PathKind?) -> Duration? {
        guard path == .direct, case .manager(_, _, _, let timeout) = resender else { return nil }
        return timeout
    }

    /// Counts `count` bytes of a chunk as delivered (minus those to skip) and, for the manager's
    /// exchanges, adds them to its counters when a batch is due. Returns how many leading bytes to drop.
    private func deliver(_ count: Int, on path: PathKind?) async -> Int {
        let counted: ConnectionManager?
        if case .manager(let manager, _, _, _) = resender { counted = manager } else { counted = nil }
        let now = counted == nil ? nil : clock.now()
        let (dropped, report) = state.withLock { state -> (Int, Int) in
            let drop = min(state.skip, count)
            state.skip -= drop
            state.delivered += count - drop
            guard let now else { return (drop, 0) }
            state.unreported += count
            let due = state.lastReport.map { now - $0 >= Self.reportInterval } ?? true
            guard due || state.unreported >= Self.reportBatch else { return (drop, 0) }
            defer { state.unreported = 0; state.lastReport = now }
            return (drop, state.unreported)
        }
        if report > 0, let counted, let path { await counted.recordReceived(report, on: path) }
        return dropped
    }

    func finish() async {
        let (alreadyFinished, report, path) = state.withLock { state -> (Bool, Int, PathKind?) in
            defer { state.finished = true; state.source = nil; state.unreported = 0 }
            return (state.finished, state.unreported, state.path)
        }
        guard case .manager(let manager, let id, _, _) = resender else { return }
        if report > 0, let path { await manager.recordReceived(report, on: path) }
        if !alreadyFinished { await manager.endExchange(id) }
    }

    /// Adds the bytes not yet counted to the current path's counter (before the path changes).
    func flushReport() async {
        guard case .manager(let manager, _, _, _) = resender else { return }
        let (report, path) = state.withLock { state -> (Int, PathKind?) in
            defer { state.unreported = 0 }
            return (state.unreported, state.path)
        }
        if report > 0, let path { await manager.recordReceived(report, on: path) }
    }
}
