import Foundation
import MydiaConnection

/// PROTOCOL.md §14.2.6: an HLS segment not produced yet, or a playlist whose transcoder is still
/// starting, answers 503 (with `Retry-After` from a stock server). The proxy's upstream waits and
/// asks again, so the player never sees the 503 — mpv would skip the segment, or give up on the
/// playlist, instead of waiting.
///
/// - A 503 for an `/api/v1/hls/…` path is retried, and so is a 503 with `Retry-After` on any
///   other media path.
/// - Each wait is `Retry-After` seconds (delta-seconds; absent or an HTTP date: 1 s), at least
///   ``minimumWait`` and at most ``maximumWait``.
/// - After ``patience`` from the first answer the 503 goes to the player as it is.
/// - The 503's body is read and dropped before the next try (it is a short error document).
final class RetryAfterUpstream: MediaUpstream {
    /// The longest single wait (§14.2.6 leaves it to the client; a server asking for more is capped).
    static let maximumWait: Duration = .seconds(5)
    /// The shortest single wait (`Retry-After: 0` would otherwise spin).
    static let minimumWait: Duration = .milliseconds(250)

    let base: any MediaUpstream
    /// How long one request keeps being retried (30 s, §14.2.6).
    let patience: Duration
    private let clock: ManagerClock

    /// - Parameters:
    ///   - base: where requests go.
    ///   - patience: how long a request is retried before its 503 reaches the player.
    ///   - clock: the clock of the waits.
    init(base: any MediaUpstream, patience: Duration = .seconds(30), clock: ManagerClock) {
        self.base = base
        self.patience = patience
        self.clock = clock
    }

    convenience init(base: any MediaUpstream, patience: Duration = .seconds(30), clock: some Clock<Duration> = ContinuousClock()) {
        self.init(base: base, patience: patience, clock: ManagerClock(clock))
    }

    func currentPath() async -> PathKind? {
        await base.currentPath()
    }

    func send(_ request: PathRequest) async throws -> PathResponse {
        let deadline = clock.now() + patience
        while true {
            let response = try await base.send(request)
            guard response.status == 503, let wait = Self.wait(for: response, path: request.path) else { return response }
            let now = clock.now()
            guard now + wait <= deadline else { return response }
            do { for try await _ in response.body {} } catch {}
            try await clock.sleep(wait)
        }
    }

    /// How long to wait before asking again after `response` (a 503), or nil when it is not one to retry.
    static func wait(for response: PathResponse, path: String) -> Duration? {
        let header = response.headers["retry-after"]
        guard header != nil || path.hasPrefix("/api/v1/hls/") else { return nil }
        let seconds = header.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }.map { max(0, $0) } ?? 1
        return min(max(.seconds(seconds), minimumWait), maximumWait)
    }
}
