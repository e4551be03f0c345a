import MydiaAPI
import MydiaConnection

/// The API client's transport: whichever path the ConnectionManager has active.
struct ManagedAPITransport: APITransport {
    let manager: ConnectionManager

    func send(_ request: APIRequestSpec) async throws -> APIReply {
        let response = try await manager.send(request)
        var body: [UInt8] = []
        for try await chunk in response.body { body += chunk }
        return APIReply(status: response.status, headers: response.headers, body: body)
    }
}
