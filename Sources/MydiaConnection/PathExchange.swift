/// One HTTP-shaped request as both paths carry it (PROTOCOL.md §5.1, §6, §12.13): the same
/// request means the same thing over the relay tunnel as over the direct HTTPS path.
public struct PathRequest: Sendable, Hashable {
    /// Upper-case HTTP method (`GET`, `POST`, ...).
    public var method: String
    /// Origin-form path with query, e.g. `/api/v1/hls/abc/index.m3u8?token=x`.
    public var path: String
    /// Header fields with lower-case names; repeated values already joined by `, ` (§12.13).
    public var headers: [String: String]
    /// Request body bytes; empty for none.
    public var body: [UInt8]

    /// Creates a request; header names are lower-cased here so callers cannot get §12.13 wrong.
    public init(method: String, path: String, headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method.uppercased()
        self.path = path
        var lowered: [String: String] = [:]
        for (name, value) in headers { lowered[name.lowercased()] = value }
        self.headers = lowered
        self.body = body
    }
}

/// A response head plus its body as a stream of chunks. Transports hand these to the manager; the
/// manager hands the caller one whose body survives a path swap (PROTOCOL.md §8.5).
public struct PathResponse: Sendable {
    /// HTTP status code.
    public var status: Int
    /// Header fields with lower-case names.
    public var headers: [String: String]
    /// The body. A transport's stream must end the underlying request when iteration is cancelled
    /// (its `onTermination` fires), because the manager abandons a failing direct body that way.
    public var body: AsyncThrowingStream<[UInt8], any Error>

    /// Creates a response.
    public init(status: Int, headers: [String: String], body: AsyncThrowingStream<[UInt8], any Error>) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Which path carries a request.
public enum PathKind: String, Sendable, Hashable, CaseIterable {
    /// The end-to-end encrypted tunnel through the relay (§4, §5).
    case relay
    /// The certificate-pinned HTTPS connection to a direct URL (§6).
    case direct
}
