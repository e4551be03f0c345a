public import Foundation

/// Everything the UI shows about the connection, published on every change (PROTOCOL.md §8.7).
/// Times are offsets on the manager's clock since the manager was created.
public struct ConnectionSnapshot: Sendable, Equatable {
    /// The connection state.
    public var state: ConnectionState
    /// Where a new request goes now; `nil` when no path is usable.
    public var activePath: PathKind?
    /// The direct URL in use (dual or direct), if any.
    public var directURL: URL?
    /// Relay path figures.
    public var relay: PathStatistics
    /// Direct path figures.
    public var direct: PathStatistics
    /// Every direct candidate in preference order, with its last probe.
    public var candidates: [CandidateStatus]
    /// When the next probe round is due, if one is scheduled.
    public var nextProbeAt: Duration?
    /// The probe backoff step the next failure uses (0 = 5 s; resets after 5 min of direct, §12.20).
    public var probeBackoffStep: Int
    /// When the next relay connect attempt is due, if the relay is down.
    public var nextRelayAttemptAt: Duration?
    /// Why the relay refused this device for good (revoked, another server key), in one sentence;
    /// nil while the relay is fine or only unreachable.
    public var relayRefusal: String?
    /// Whether the manager has no relay (a URL-login server, PROTOCOL.md §14.2).
    public var isDirectOnly: Bool = false
    /// Direct-only and offline: why the last probe round failed, in one sentence (an untrusted
    /// certificate names its fix); `nil` otherwise.
    public var directRefusal: String? = nil
    /// Recent state transitions, oldest first (bounded by `ConnectionPolicy.transitionHistoryLimit`).
    public var transitions: [ConnectionTransition]
    /// When this snapshot was taken.
    public var takenAt: Duration
}

/// Figures for one path.
public struct PathStatistics: Sendable, Equatable {
    /// Whether the path is up (relay: session open; direct: promoted).
    public var isUp: Bool = false
    /// Last measured round-trip time (relay: tunnel ping; direct: probe or keepalive).
    public var roundTripTime: Duration?
    /// Request body bytes sent on this path.
    public var bytesSent: Int = 0
    /// Response body bytes delivered to callers from this path.
    public var bytesReceived: Int = 0
    /// Requests whose response has not finished on this path.
    public var inFlight: Int = 0

    /// Creates empty statistics.
    public init() {}
}

/// One direct candidate URL and what the last probe of it said.
public struct CandidateStatus: Sendable, Equatable {
    /// The candidate URL.
    public var url: URL
    /// Whether it came from LAN discovery (§9) rather than the instance's `direct_urls`.
    public var discovered: Bool
    /// The last probe result, if it was probed.
    public var lastResult: ProbeResult?
    /// When the last probe finished.
    public var lastProbedAt: Duration?
    /// Until when a pin mismatch holds this URL off (§12.21).
    public var heldOffUntil: Duration?

    /// The last probe's error as one sentence, `nil` when it succeeded or never ran.
    public var lastError: String? { lastResult?.failureDescription }
}

/// One state change with its reason.
public struct ConnectionTransition: Sendable, Equatable {
    /// The state before.
    public var from: ConnectionState
    /// The state after.
    public var to: ConnectionState
    /// Why, in a few words (no secrets, no payloads).
    public var reason: String
    /// When, on the manager's clock.
    public var at: Duration
    /// When, on the wall clock (for display).
    public var date: Date
}
