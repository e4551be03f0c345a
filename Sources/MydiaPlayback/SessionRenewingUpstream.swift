import MydiaConnection
import Synchronization

/// The upstream a ``Playback`` gives its proxy (PROTOCOL.md §13.73): the player's requests outlive
/// the instance going away for a while — a restart — instead of failing at once, which made mpv
/// skip every segment it could not fetch and call a half-played item finished.
///
/// - A request that finds no path (`ConnectionManager.Error.offline`) is tried again every
///   `retryInterval` for at most `patience`; the player waits (mpv shows it as buffering).
/// - A 404 for a file of the current streaming session means the instance forgot the session (it
///   restarted): the playback's renewal starts a new session for the same file, once, and this and
///   every later request for the forgotten session goes to the new one. The server cuts and names
///   the segments of one file the same way in every session (a playlist from media time 0,
///   `seg%05d.ts`, §12.15), so segment N of the new session is segment N of the old one.
/// - A segment or file body that breaks off below (both paths lost) continues from its first
///   undelivered byte by `Range` once a path is back, on the renewed session if need be.
///   Playlists are never resumed (§12.16); the proxy fetches them again whole.
final class SessionRenewingUpstream: MediaUpstream {
    /// Starts a replacement for a forgotten session; returns its id, or nil when that failed.
    typealias Renewal = @Sendable (_ forgotten: String) async -> String?

    private struct State {
        /// The session the playback uses now.
        var current: String?
        var renewal: Renewal?
        /// Forgotten session id → the session that replaced it.
        var replaced: [String: String] = [:]
        /// The renewal in progress, so concurrent 404s start one new session, not several.
        var renewing: (from: String, task: Task<String?, Never>)?
    }

    let base: any MediaUpstream
    let patience: Duration
    let retryInterval: Duration
    private let state = Mutex(State())

    /// How often one body is continued before the player gets the error.
    static let resumeLimit = 8

    init(base: any MediaUpstream, patience: Duration = .seconds(30), retryInterval: Duration = .milliseconds(250)) {
        self.base = base
        self.patience = patience
        self.retryInterval = retryInterval
    }

    /// The playback's current session and how to replace it when the instance forgets it.
    func use(session: String, renewal: @escaping Renewal) {
        state.withLock {
            $0.current = session
            $0.renewal = renewal
        }
    }

    func currentPath() async -> PathKind? {
        await base.currentPath()
    }

    func send(_ request: PathRequest) async throws -> PathResponse {
        let (response, sent) = try await sendRenewing(mapped(request))
        guard response.status == 200 || response.status == 206, !sent.path.hasSuffix(".m3u8") else { return response }
        var resumable = response
        let cursor = BodyCursor(upstream: self, request: sent, head: response)
        resumable.body = AsyncThrowingStream(unfolding: { try await cursor.next() })
        return resumable
    }

    /// Sends `request`, waiting while no path is up (at most `patience`); a 404 for the current
    /// session renews it once and sends again to the new one. Returns the response and the
    /// request that got it.
    private func sendRenewing(_ request: PathRequest) async throws -> (PathResponse, PathRequest) {
        let deadline = ContinuousClock.now + patience
        var request = request
        var renewed = false
        while true {
            let response = try await sendWaiting(request, until: deadline)
            if response.status == 404, !renewed, let id = Self.sessionID(in: request.path), let fresh = await renew(id) {
                do { for try await _ in response.body {} } catch {}
                request.path = Self.path(request.path, replacing: id, with: fresh)
                request.headers["if-range"] = nil  // the new session's files carry other etags
                renewed = true
                continue
            }
            return (response, request)
        }
    }

    /// `base.send`, tried again while no path is up, until `deadline`.
    private func sendWaiting(_ request: PathRequest, until deadline: ContinuousClock.Instant) async throws -> PathResponse {
        while true {
            do {
                return try await base.send(request)
            } catch ConnectionManager.Error.offline where ContinuousClock.now + retryInterval < deadline {
                try await Task.sleep(for: retryInterval)
            }
        }
    }

    /// The rest of a body from absolute byte `offset` of the representation (`last`: its last
    /// byte, when the original request asked for a range).
    fileprivate func rest(of request: PathRequest, from offset: Int, through last: Int?) async throws -> PathResponse {
        var resumed = mapped(request)
        resumed.headers["range"] = "bytes=\(offset)-\(last.map(String.init) ?? "")"
        resumed.headers["if-range"] = nil
        return try await sendRenewing(resumed).0
    }

    private func mapped(_ request: PathRequest) -> PathRequest {
        guard let id = Self.sessionID(in: request.path), let fresh = state.withLock({ $0.replaced[id] }) else { return request }
        var request = request
        request.path = Self.path(request.path, replacing: id, with: fresh)
        request.headers["if-range"] = nil
        return request
    }

    /// Replaces the forgotten session `id` (if it is the current one) and returns the new id.
    private func renew(_ id: String) async -> String? {
        let task: Task<String?, Never>? = state.withLock { state in
            if let running = state.renewing, running.from == id { return running.task }
            guard id == state.current, let renewal = state.renewal else { return nil }
            let task = Task { await renewal(id) }
            state.renewing = (id, task)
            return task
        }
        guard let task else { return nil }
        let fresh = await task.value
        state.withLock { state in
            if state.renewing?.from == id { state.renewing = nil }
            guard let fresh, state.current == id else { return }
            state.current = fresh
            for (old, new) in state.replaced where new == id { state.replaced[old] = fresh }
            state.replaced[id] = fresh
        }
        return fresh
    }

    /// The session id of an `/api/v1/hls/<session>/…` path.
    static func sessionID(in path: String) -> String? {
        let prefix = "/api/v1/hls/"
        guard path.hasPrefix(prefix) else { return nil }
        let rest = path.dropFirst(prefix.count)
        guard let slash = rest.firstIndex(of: "/"), slash > rest.startIndex else { return nil }
        return String(rest[..<slash])
    }

    static func path(_ path: String, replacing id: String, with fresh: String) -> String {
        "/api/v1/hls/\(fresh)" + path.dropFirst("/api/v1/hls/\(id)".count)
    }
}

/// Reads one response body for the player and continues it by `Range` when it breaks off below.
/// `@unchecked Sendable`: only the body stream's single consumer calls `next()`, one call at a time
/// (`AsyncThrowingStream(unfolding:)` never overlaps them), so the iterator needs no lock.
private final class BodyCursor: @unchecked Sendable {
    private let upstream: SessionRenewingUpstream
    private let request: PathRequest
    /// Absolute offset of the body's first byte, and its last byte when a range was asked for.
    private let first: Int
    private let last: Int?
    private var iterator: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator
    private var delivered = 0
    private var skip = 0
    private var resumes = 0

    init(upstream: SessionRenewingUpstream, request: PathRequest, head: PathResponse) {
        self.upstream = upstream
        self.request = request
        let range = head.status == 206 ? head.headers["content-range"].flatMap(Self.range) : nil
        first = range?.first ?? 0
        last = range?.last
        iterator = head.body.makeAsyncIterator()
    }

    func next() async throws -> [UInt8]? {
        while true {
            do {
                guard var chunk = try await iterator.next() else { return nil }
                let drop = min(skip, chunk.count)
                skip -= drop
                if drop > 0 { chunk.removeFirst(drop) }
                if chunk.isEmpty { continue }
                delivered += chunk.count
                return chunk
            } catch let error as ConnectionManager.Error where error.isRetryable && resumes < SessionRenewingUpstream.resumeLimit {
                resumes += 1
                let response = try await upstream.rest(of: request, from: first + delivered, through: last)
                switch response.status {
                case 206 where response.headers["content-range"].flatMap(Self.range)?.first == first + delivered:
                    skip = 0
                case 200:
                    skip = first + delivered  // the whole representation again: drop what was delivered
                default:
                    throw error
                }
                iterator = response.body.makeAsyncIterator()
            }
        }
    }

    /// `bytes FIRST-LAST/…` → (FIRST, LAST).
    static func range(_ header: String) -> (first: Int, last: Int)? {
        guard header.hasPrefix("bytes ") else { return nil }
        let spec = header.dropFirst(6).split(separator: "/").first ?? ""
        let bounds = spec.split(separator: "-")
        guard bounds.count == 2, let first = Int(bounds[0]), let last = Int(bounds[1]) else { return nil }
        return (first, last)
    }
}
