import MydiaAPI
import MydiaConnection
import MydiaTransport

/// An API transport straight over one `DirectClient`, without a connection manager: for the
/// login exchange, before anything is stored (PROTOCOL.md §14.2.2).
struct DirectAPITransport: APITransport {
    let client: DirectClient

    func send(_ request: APIRequestSpec) async throws -> APIReply {
        var headers = request.headers
        let bearer = headers.removeValue(forKey: "authorization").flatMap(Self.bearer)
        let response = try await client.request(method: request.method, path: request.path, headers: headers,
                                                body: request.body, bearer: bearer)
        return APIReply(status: response.status, headers: response.headers, body: try await response.body.collect(upTo: 8 << 20))
    }

    /// The token of an `Authorization: Bearer` value.
    static func bearer(_ value: String) -> String? {
        let parts = value.split(separator: " ", maxSplits: 1)
        return parts.count == 2 && parts[0].lowercased() == "bearer" ? String(parts[1]) : nil
    }
}
