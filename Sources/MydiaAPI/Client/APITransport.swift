public import MydiaConnection

/// One HTTP-shaped request to the instance API (PROTOCOL.md §7), before it goes over a path: the
/// ConnectionManager's own request type (method upper-cased, origin-form path, lowercase headers).
public typealias APIRequestSpec = PathRequest

/// The instance's answer to an `APIRequestSpec`, body fully read.
public struct APIReply: Sendable, Equatable {
    /// HTTP status code.
    public var status: Int
    /// Lowercase header names.
    public var headers: [String: String]
    /// The whole response body.
    public var body: [UInt8]

    /// - Parameters:
    ///   - status: HTTP status code.
    ///   - headers: header names are lower-cased here.
    ///   - body: the body bytes.
    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        var lower: [String: String] = [:]
        for (name, value) in headers { lower[name.lowercased()] = value }
        self.headers = lower
        self.body = body
    }
}

/// Whatever carries API requests to one instance — the relay tunnel or the pinned direct path.
/// The app layer has no networking of its own; the connection manager implements this.
public protocol APITransport: Sendable {
    /// Sends one request and returns the complete response. Throws only when no HTTP answer
    /// arrived (connection lost, timeout); HTTP error statuses are replies, not throws.
    func send(_ request: APIRequestSpec) async throws -> APIReply
}
