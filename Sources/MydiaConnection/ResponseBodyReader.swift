import Logging
import Synchronization

/// The caller's view of one response body. It reads the current path's body chunk by chunk and,
/// when the direct path fails mid-body, continues on the relay with a `Range` request from the
/// first byte not yet delivered, so the caller sees one seamless body (PROTOCOL.md §8.5, §12.16).
/// A body cut by the end of its relay session continues the same way on the next relay session
/// (§13.92).
final class ResponseBodyReader: Sendable {
    private struct State {
        var source: ChunkSource?
        var path: PathKind
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

    private let manager: ConnectionManager
    private let exchangeID: Int
    private let request: PathRequest
    private let head: PathResponse
    private let idempotent: Bool
    private let stallTimeout: Duration
    private let clock: ManagerClock
    private let state: Mutex<State>

    init(
        manager: ConnectionManager, exchangeID: Int, request: PathRequest, head: PathResponse, path: PathKind,
        linkID: Int?, relayGeneration: Int, idempotent: Bool, stallTimeout: Duration, clock: ManagerClock
    ) {
        self.manager = manager
        self.exchangeID = exchangeID
        self.request = request
        self.head = head
        self.idempotent = idempotent
        self.stallTimeout = stallTimeout
        self.clock = clock
        self.state = Mutex(State(source: ChunkSource(head.body), path: path, linkID: linkID, relayGeneration: relayGeneration))
    }

    deinit {
        let (source, finished, report, path) = state.withLock { ($0.source, $0.finished, $0.unreported, $0.path) }
        source?.abandon(with: .cancelled)
        if !finished {
            let manager = self.manager
            let id = exchangeID
            Task {
                if report > 0 { await manager.recordReceived(report, on: path) }
                await manager.endExchange(id)
            }
        }
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
            let outcome = await source.take(stallAfter: path == .direct ? stallTimeout : nil, clock: clock)
            switch outcome {
            case .chunk(var chunk):
                let now = clock.now()
                let (dropped, report) = state.withLock { state -> (Int, Int) in
                    let drop = min(state.skip, chunk.count)
                    state.skip -= drop
                    state.delivered += chunk.count - drop
                    state.unreported += chunk.count
                    let due = state.lastReport.map { now - $0 >= Self.reportInterval } ?? true
                    guard due || state.unreported >= Self.reportBatch else { return (drop, 0) }
                    defer { state.unreported = 0; state.lastReport = now }
                    return (drop, state.unreported)
                }
                if report > 0 { await manager.recordReceived(report, on: path) }
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
            case .failed(let error) where path == .relay:
                let lostSession: Int?
                switch error {
                case is ExchangeInterrupted: lostSession = nil  // §12.11: the tunnel aborted the stream
                case is RelaySessionLost: lostSession = state.withLock { $0.relayGeneration }  // §13.92
                default:
                    await finish()
                    throw error
                }
                // Re-request the rest by Range, on the same session or on the next one.
                do {
                    try await resumeOnRelay(after: lostSession)
                } catch {
                    await finish()
                    throw error
                }
            case .failed, .stalled:
                source.abandon(with: .failed(DirectPathFailure.pathFailed))
                if let linkID {
                    let stalled: Bool
                    if case .stalled = outcome { stalled = true } else { stalled = false }
                    await manager.directFailed(linkID: linkID, reason: stalled ? "direct body stalled" : "direct body failed")
                }
                do {
                    try await resumeOnRelay()
                } catch {
                    await finish()
                    throw error
                }
            }
        }
    }

    private func finish() async {
        let (alreadyFinished, report, path) = state.withLock { state -> (Bool, Int, PathKind) in
            defer { state.finished = true; state.source = nil; state.unreported = 0 }
            return (state.finished, state.unreported, state.path)
        }
        if report > 0 { await manager.recordReceived(report, on: path) }
        if !alreadyFinished { await manager.endExchange(exchangeID) }
    }

    /// Adds the bytes not yet counted to the current path's counter (before the path changes).
    private func flushReport() async {
        let (report, path) = state.withLock { state -> (Int, PathKind) in
            defer { state.unreported = 0 }
            return (state.unreported, state.path)
        }
        if report > 0 { await manager.recordReceived(report, on: path) }
    }

    /// Re-issues the request on the relay: whole when nothing was delivered yet, else by `Range`
    /// from the first undelivered byte with `If-Range` when the body had a strong etag (§12.16).
    /// With `lostSession`, on a relay session newer than that one, once there is one (§13.92).
    private func resumeOnRelay(after lostSession: Int? = nil) async throws {
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
        let (response, generation) = if let lostSession {
            try await manager.resend(resumed, exchangeID: exchangeID, after: lostSession)
        } else {
            try await manager.resend(resumed, exchangeID: exchangeID)
        }
        let skip = try plan.validate(response, originalStatus: head.status, delivered: delivered)
        if case .range(let start, _, _) = plan {
            manager.logger.notice("body resumed on the relay by Range", metadata: ["from": "\(start)", "status": "\(response.status)"])
        }
        state.withLock { state in
            state.source = ChunkSource(response.body)
            state.lastReport = nil
            state.path = .relay
            state.linkID = nil
            state.relayGeneration = generation
            state.skip = skip
        }
    }
}

/// How a cut body continues on the other path.
enum ResumePlan: Equatable {
    /// Nothing was delivered: the same request again.
    case whole
    /// `Range: bytes=start-end` (absolute offsets in the representation).
    case range(start: Int, end: Int?, ifRange: String?)

    static func make(request: PathRequest, head: PathResponse, delivered: Int) throws -> ResumePlan {
        let pathOnly = request.path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.path
        let contentType = head.headers["content-type"]?.lowercased() ?? ""
        // PROTOCOL.md §12.16: playlists are re-fetched whole, never resumed.
        guard request.method == "GET", !pathOnly.hasSuffix(".m3u8"), !contentType.contains("mpegurl") else {
            throw ConnectionManager.Error.resumeFailed("this response cannot be resumed part-way")
        }
        let etag = head.headers["etag"].flatMap { $0.hasPrefix("W/") ? nil : $0 }
        switch head.status {
        case 200:
            return .range(start: delivered, end: nil, ifRange: etag)
        case 206:
            guard let range = head.headers["content-range"].flatMap(ContentRange.init) else {
                throw ConnectionManager.Error.resumeFailed("the partial response had no usable content-range")
            }
            return .range(start: range.first + delivered, end: range.last, ifRange: etag)
        default:
            throw ConnectionManager.Error.resumeFailed("HTTP \(head.status) responses are not resumed")
        }
    }

    /// Checks the resumed response continues the body; returns how many leading bytes to drop.
    func validate(_ response: PathResponse, originalStatus: Int, delivered: Int) throws -> Int {
        switch self {
        case .whole:
            guard response.status == originalStatus else {
                throw ConnectionManager.Error.resumeFailed("the repeated request answered HTTP \(response.status)")
            }
            return 0
        case .range(let start, _, let ifRange):
            if response.status == 206,
               let range = response.headers["content-range"].flatMap(ContentRange.init), range.first == start {
                return 0
            }
            // A server without range support sends the whole body again; without a validator
            // (If-Range) a 200 is the same representation, so skip what was delivered.
            if response.status == 200, ifRange == nil, originalStatus == 200 {
                return delivered
            }
            throw ConnectionManager.Error.resumeFailed("the resumed request answered HTTP \(response.status)")
        }
    }
}

/// `content-range: bytes first-last/total` (total may be `*`).
struct ContentRange: Equatable {
    let first: Int
    let last: Int

    init?(_ header: String) {
        let trimmed = header.trimmingPrefix("bytes ")
        guard trimmed.count < header.count else { return nil }
        let parts = trimmed.split(separator: "/", maxSplits: 1)
        let bounds = parts.first?.split(separator: "-", maxSplits: 1) ?? []
        guard bounds.count == 2, let first = Int(bounds[0]), let last = Int(bounds[1]), first >= 0, last >= first else { return nil }
        self.first = first
        self.last = last
    }
}
