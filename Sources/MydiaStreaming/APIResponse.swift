/// The request method of a streaming endpoint. Only the two safe methods carry media.
public enum StreamingMethod: String, Sendable {
    /// Headers and body.
    case get = "GET"
    /// Headers only, exactly as `GET` would send them (RFC 9110 §9.3.2).
    case head = "HEAD"
}

/// The instance API's answer (PROTOCOL.md §7), independent of any HTTP framework: a status,
/// lowercase headers (§12.13) and a body that is in memory, a region of a file, or a stream of
/// chunks produced as the consumer reads — never a whole file in memory. The server adapts it to
/// Hummingbird on the direct path and to tunnel `res` + media frames on the relay path (§5.1).
public struct APIResponse: Sendable {
    /// What follows the headers.
    public enum Body: Sendable {
        /// An in-memory body (JSON, playlists); empty for `HEAD` and for statuses without content.
        case bytes([UInt8])
        /// A region of a file, read as it is sent, in the chunk size the carrier chooses
        /// (`FileBody.readingChunks(of:)`).
        case file(FileBody)
        /// Chunks produced as the consumer reads.
        case stream(AsyncThrowingStream<[UInt8], any Error>)
    }

    /// The HTTP status code.
    public var status: Int
    /// Response headers; names are lowercase.
    public var headers: [String: String]
    /// The body. For `HEAD` it is empty while `content-length` still gives the `GET` length.
    public var body: Body

    /// Creates a response.
    public init(status: Int, headers: [String: String] = [:], body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON error answer `{"error","message"}` (PROTOCOL.md §7).
    /// - Parameters:
    ///   - status: the HTTP status.
    ///   - error: the machine-readable code, e.g. `not_found`.
    ///   - message: one plain sentence for humans.
    ///   - headers: extra headers (e.g. `retry-after`, `content-range`).
    ///   - method: for `HEAD` the body is left out but its length is still announced.
    public static func error(
        status: Int, error: String, message: String, headers extra: [String: String] = [:],
        method: StreamingMethod = .get
    ) -> APIResponse {
        let json = "{\"error\":\"\(jsonEscaped(error))\",\"message\":\"\(jsonEscaped(message))\"}"
        let bytes = Array(json.utf8)
        var headers = extra
        headers["content-type"] = "application/json"
        headers["content-length"] = String(bytes.count)
        headers["cache-control"] = "no-store"
        return APIResponse(status: status, headers: headers, body: .bytes(method == .head ? [] : bytes))
    }

    private static func jsonEscaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

extension Dictionary where Key == String, Value == String {
    /// Case-insensitive header lookup for callers that did not lowercase their names.
    func header(_ name: String) -> String? {
        if let value = self[name] { return value }
        return first(where: { $0.key.lowercased() == name })?.value
    }
}
