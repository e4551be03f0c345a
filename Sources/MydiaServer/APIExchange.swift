import Foundation
public import MydiaStreaming

/// An HTTP-shaped request to the instance API (PROTOCOL.md §7), the same whether it arrived over
/// the relay tunnel (§5) or the direct HTTPS listener (§6).
public struct APIRequest: Sendable {
    public var method: String
    /// Origin-form target with query, e.g. `/api/v1/hls/abc/index.m3u8?token=…`.
    public var target: String
    /// Lowercase names.
    public var headers: [String: String]
    public var body: [UInt8]
    /// The device that authenticated the tunnel this request came through (`nil` on direct).
    public var tunnelDeviceID: String?
    /// The peer's IP address on the direct listener (the login rate limit's key, PROTOCOL.md
    /// §14.3); `nil` inside a tunnel, where the relay hides it.
    public var clientAddress: String?

    public init(method: String, target: String, headers: [String: String] = [:], body: [UInt8] = [], tunnelDeviceID: String? = nil,
                clientAddress: String? = nil) {
        self.method = method.uppercased()
        self.target = target
        var lower: [String: String] = [:]
        for (k, v) in headers { lower[k.lowercased()] = v }
        self.headers = lower
        self.body = body
        self.tunnelDeviceID = tunnelDeviceID
        self.clientAddress = clientAddress
    }

    /// The path without the query.
    public var path: Substring { target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "" }

    /// Query parameters (percent-decoded; the last one wins).
    public var query: [String: String] {
        guard let q = target.split(separator: "?", maxSplits: 1).dropFirst().first else { return [:] }
        var out: [String: String] = [:]
        for pair in q.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(kv[0]).removingPercentEncoding ?? String(kv[0])
            out[key] = kv.count > 1 ? (String(kv[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "") : ""
        }
        return out
    }

    /// The bearer token of `Authorization: Bearer …`, if any.
    public var bearerToken: String? {
        guard let value = headers["authorization"] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1]).trimmingCharacters(in: .whitespaces)
    }
}

/// Anything that answers instance API requests.
public protocol APIHandler: Sendable {
    func handle(_ request: APIRequest) async -> APIResponse
}
