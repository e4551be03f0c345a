public import Foundation

/// Where the direct path may go: the instance's announced `direct_urls` plus the pinned
/// certificate fingerprint (PROTOCOL.md §1, §6, §11.11), or a URL-login server's base URL (§14.2).
public struct DirectConfiguration: Sendable, Hashable {
    /// Candidate URLs (`https://host:port`) in order of preference (§12.20).
    public var urls: [URL]
    /// hex(SHA-256(leaf DER)). `nil` = no pin: then a relay-backed manager has no direct path
    /// (§6); a direct-only manager leaves TLS to its path (verified or plain HTTP, §14.2.5).
    public var certificateFingerprint: String?

    /// Creates a configuration.
    public init(urls: [URL], certificateFingerprint: String?) {
        self.urls = urls
        self.certificateFingerprint = certificateFingerprint
    }
}

/// The outcome of one §6 probe (TCP, TLS with the pin check, `GET /api/v1/remote/probe`).
public enum ProbeResult: Sendable, Hashable {
    /// The URL answered with the expected instance id.
    case ok(rtt: Duration)
    /// TCP connect, read or write failed.
    case transportError(String)
    /// TLS failed for a reason other than the pin.
    case tlsError(String)
    /// The server presented a certificate whose fingerprint is not the pinned one.
    case pinMismatch(presented: String)
    /// The probe answered, but for another instance.
    case instanceMismatch(String)
    /// The probe answered with a non-200 status (e.g. 401: the access token needs a refresh).
    case rejected(status: Int)
    /// The address answered, but refuses this client for a reason retrying soon cannot fix (a
    /// certificate this computer does not trust, a login the server no longer accepts, the player
    /// switched off).
    case refused(ProbeRefusal)
    /// No answer within the budget.
    case timedOut

    /// Whether the probe succeeded.
    public var isOK: Bool {
        if case .ok = self { return true }
        return false
    }

    /// One plain sentence for the UI; `nil` for success.
    public var failureDescription: String? {
        switch self {
        case .ok: return nil
        case .transportError(let reason): return "The connection failed: \(reason)."
        case .tlsError(let reason): return "TLS failed: \(reason)."
        case .pinMismatch: return "The server presented a different certificate than the paired one."
        case .instanceMismatch: return "Another server answered at this address."
        case .rejected(let status): return "The server refused the probe (HTTP \(status))."
        case .refused(let refusal): return refusal.message
        case .timedOut: return "The address did not answer in time."
        }
    }
}

/// Why an address refuses this client, for `ProbeResult.refused`: a kind the layers above map to
/// an exit code, and one sentence that names the fix.
public struct ProbeRefusal: Sendable, Hashable, CustomStringConvertible {
    /// What kind of refusal.
    public enum Reason: String, Sendable, Hashable {
        /// The bearer is no longer accepted (a URL login answered 401: log in again).
        case credentialsRejected
        /// The server has the service switched off (404 `PLAYER_DISABLED`).
        case serviceDisabled
        /// The certificate is not trusted (unknown CA, self-signed, another host name).
        case certificateNotTrusted
    }

    /// The kind.
    public var reason: Reason
    /// One sentence for the user, naming the fix.
    public var message: String

    /// Creates a refusal.
    public init(_ reason: Reason, message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { message }
}

/// The direct HTTPS path (§6, §14.2). One implementation serves every candidate URL.
public protocol DirectPath: Sendable {
    /// Runs a probe against `url` (§6; a URL login's GraphQL probe, §14.2), accepting only
    /// `fingerprint` when one is given; keeps to its own 5 s budget. Also serves as the keepalive
    /// (§12.20). Must return promptly when the task is cancelled.
    func probe(_ url: URL, fingerprint: String?) async -> ProbeResult
    /// Sends one request to `url` and returns its head; throws on transport or TLS errors.
    func send(_ request: PathRequest, to url: URL, fingerprint: String?) async throws -> PathResponse
}
