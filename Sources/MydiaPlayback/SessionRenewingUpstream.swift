import MydiaConnection
import Synchronization

/// The upstream a ``Playback`` gives its proxy (PROTOCOL.md §13.44): the player's requests outlive
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
/// - A segment or file body that breaks off below (both paths lost) is continued by the client's one
///   resume engine, `ResponseBodyReader`, whose requests for the rest go through this upstream:
///   they wait for a path and follow a renewed session like any other (without `If-Range` on a new
///   session: its files carry other etags). Playlists are never resumed (§12.16); the proxy
///   fetches them again whole.
///
/// Waiting for a path uses the client's one patience value, `ConnectionPolicy.resumeWait`.
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
    private let clock: ManagerClock
    private let state = Mutex(State())

    /// - Parameters:
    ///   - base: the upstream requests go to (the ConnectionManager's, in a playback).
    ///   - patience: how long a request waits for a path (the manager's `resumeWait`, 20 s).
    ///   - retryInterval: how often it looks for one meanwhile.
    ///   - clock: the clock both run on.
    convenience init(base: any MediaUpstream, patience: Duration = ConnectionPolicy().resumeWait,
                     retryInterval: Duration = .milliseconds(250), clock: some Clock<Duration> = ContinuousClock()) {
        self.init(base: base, patience: patience, retryInterval: retryInterval, clock: ManagerClock(clock))
    }

    init(base: any MediaUpstream, patience: Duration, retryInterval: Duration, clock: ManagerClock) {
        self.base = base
        self.patience = patience
        self.retryInterval = retryInterval
        self.clock = clock
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
        return ResponseBodyReader.continuing(response, of: sent) { [self] rest in
            try await sendRenewing(mapped(rest)).0
        }
    }

    /// Sends `request`, waiting while no path is up (at most `patience`); a 404 for the current
    /// session renews it once and sends again to the new one. Returns the response and the
    /// request that got it.
    private func sendRenewing(_ request: PathRequest) async throws -> (PathResponse, PathRequest) {
        let deadline = clock.now() + patience
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
    private func sendWaiting(_ request: PathRequest, until deadline: Duration) async throws -> PathResponse {
        while true {
            do {
                return try await base.send(request)
            } catch ConnectionManager.Error.offline where clock.now() + retryInterval < deadline {
                try await clock.sleep(retryInterval)
            }
        }
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
