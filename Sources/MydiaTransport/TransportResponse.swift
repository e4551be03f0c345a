/// One HTTP-shaped response from either path: the status, the headers with lowercase names
/// (repeats joined by `, `, PROTOCOL.md §12.13) and the body as an async sequence of chunks.
public struct TransportResponse: Sendable {
    /// The HTTP status code.
    public let status: Int
    /// Header names are lowercase.
    public let headers: [String: String]
    /// The body; read it once.
    public let body: ResponseBody

    /// Builds a response.
    public init(status: Int, headers: [String: String], body: ResponseBody) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A header by name, case-insensitively.
    public subscript(header name: String) -> String? { headers[name.lowercased()] }
}
