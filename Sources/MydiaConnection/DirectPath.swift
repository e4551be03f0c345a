public import Foundation

/// Where the direct path may go: the instance's announced `direct_urls` plus the pinned
/// certificate fingerprint (PROTOCOL.md §1, §6, §11.11).
public struct DirectConfiguration: Sendable, Hashable {
    /// Candidate URLs (`https://host:port`) in order of preference (§12.20).
    public var urls: [URL]
    /// hex(SHA-256(leaf DER)). `nil` = no pin, and then there is no direct path (§6).
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
        case .timedOut: return "The address did not answer in time."
        }
    }
}

/// The pinned direct HTTPS path (§6). One implementation serves every candidate URL.
public protocol DirectPath: Sendable {
    /// Runs a §6 probe against `url`, accepting only `fingerprint`; keeps to its own 5 s budget.
    /// Also serves as the keepalive (§12.20). Must return promptly when the task is cancelled.
    func probe(_ url: URL, fingerprint: String) async -> ProbeResult
    /// Sends one request to `url` and returns its head; throws on transport or TLS errors.
    func send(_ request: PathRequest, to url: URL, fingerprint: String) async throws -> PathResponse
}
