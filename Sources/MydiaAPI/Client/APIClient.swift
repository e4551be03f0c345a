import MydiaConnection
import Foundation
public import Logging
import MydiaWire

/// The app's door to one paired instance: typed GraphQL operations over an `APITransport`, with
/// the bearer header, JSON coding and the one-shot access-token refresh of PROTOCOL.md §7/§11.3.
public actor APIClient {
    /// What went wrong with a request; `description` is one plain sentence for the user.
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// The server answered with GraphQL `errors` (sanitised messages).
        case graphQL([String])
        /// 401 even after refreshing the access token with the device token.
        case deviceRevoked
        /// A non-200 HTTP answer: status, `error` code and `message` when the body had them.
        case http(status: Int, code: String?, message: String?)
        /// The body was not the JSON the operation expects.
        case invalidResponse(String)
        /// The stored credentials could not be read or saved.
        case credentials(CredentialStore.Error)

        public var description: String {
            switch self {
            case .graphQL(let messages):
                "The server refused the request: \(messages.isEmpty ? "no reason given" : messages.joined(separator: "; "))"
                    + (messages.last?.hasSuffix(".") == true ? "" : ".")
            case .deviceRevoked:
                "This device was revoked or its credentials are gone — pair it again."
            case .http(let status, _, let message):
                if let message, !message.isEmpty {
                    "The server answered with HTTP \(status): \(message)" + (message.hasSuffix(".") ? "" : ".")
                } else {
                    "The server answered with HTTP \(status) — try again later."
                }
            case .invalidResponse(let operation):
                "The server sent an answer to \(operation) that this client cannot read — check that it runs a compatible version."
            case .credentials(let error): error.description
            }
        }
    }

    /// The instance this client talks to.
    public nonisolated let instanceID: String
    private let transport: any APITransport
    private let store: CredentialStore
    private let logger: Logger
    private var refreshing: Task<String, any Swift.Error>?

    /// - Parameters:
    ///   - transport: the path to the instance (relay tunnel or pinned direct).
    ///   - store: where the instance's credentials live; refreshed tokens are saved there.
    ///   - instanceID: the paired instance to talk to.
    ///   - logger: receives operation names and statuses, never tokens or bodies.
    public init(transport: any APITransport, store: CredentialStore, instanceID: String,
                logger: Logger = Logger(label: "mydia.api")) {
        self.transport = transport
        self.store = store
        self.instanceID = instanceID.lowercased()
        self.logger = logger
    }

    /// Runs one operation with the stored access token. On HTTP 401 the access token is refreshed
    /// once with the device token (saved to the store) and the operation retried once; a second 401
    /// throws `Error.deviceRevoked` (PROTOCOL.md §7 "On 401 the client refreshes once").
    public func perform<Result>(_ operation: GraphQLOperation<Result>) async throws -> Result {
        let token = try await credentials().accessToken
        let reply = try await send(operation, bearer: token)
        guard reply.status == 401 else { return try Self.decode(reply, operation) }
        logger.info("Access token refused; refreshing once", metadata: ["operation": "\(operation.name)"])
        let fresh = try await refreshAccessToken(replacing: token)
        let retry = try await send(operation, bearer: fresh)
        guard retry.status != 401 else { throw Error.deviceRevoked }
        return try Self.decode(retry, operation)
    }

    /// Exchanges the stored media token for a new one and saves it (§12.14).
    @discardableResult
    public func refreshMediaToken() async throws -> TokenResult {
        let current = try await credentials().mediaToken
        guard let result = try await perform(Operations.refreshMediaToken(token: current)),
              let expiry = WireTime.parse(result.expiresAt) else {
            throw Error.invalidResponse("refreshMediaToken")
        }
        do { try await store.updateMediaToken(instanceID: instanceID, token: result.token, expiresAt: expiry) } catch {
            throw Error.credentials(error)
        }
        return result
    }

    /// The instance's current stored credentials (e.g. the media token for HLS URLs).
    /// - Throws: `Error.deviceRevoked` when the instance was unpaired meanwhile.
    public func storedCredentials() async throws(Error) -> ServerCredentials { try await credentials() }

    private func credentials() async throws(Error) -> ServerCredentials {
        guard let stored = await store.credentials(instanceID: instanceID) else { throw .deviceRevoked }
        return stored
    }

    /// Refreshes the access token unless someone else already replaced `stale`; concurrent
    /// callers share one refresh.
    private func refreshAccessToken(replacing stale: String) async throws -> String {
        let stored = try await credentials()
        if stored.accessToken != stale { return stored.accessToken }
        if let running = refreshing { return try await running.value }
        let task = Task { try await self.runRefresh(deviceToken: stored.deviceToken) }
        refreshing = task
        defer { refreshing = nil }
        return try await task.value
    }

    private func runRefresh(deviceToken: String) async throws -> String {
        let operation = Operations.refreshAccessToken(deviceToken: deviceToken)
        let reply = try await send(operation, bearer: nil)
        let answer: TokenResult?
        do { answer = try Self.decode(reply, operation) } catch Error.graphQL, Error.http(status: 401, _, _) {
            logger.warning("The server refused the device token")
            throw Error.deviceRevoked
        }
        guard let result = answer, let expiry = WireTime.parse(result.expiresAt) else { throw Error.invalidResponse(operation.name) }
        do { try await store.updateAccessToken(instanceID: instanceID, token: result.token, expiresAt: expiry) } catch {
            throw Error.credentials(error)
        }
        return result.token
    }

    private func send<Result>(_ operation: GraphQLOperation<Result>, bearer: String?) async throws -> APIReply {
        let body = GraphQLRequestBody(query: operation.document, variables: operation.variables,
                                      operationName: operation.name)
        var headers = operation.headers
        headers["content-type"] = "application/json"
        headers["accept"] = "application/json"
        if let bearer { headers["authorization"] = "Bearer \(bearer)" }
        let request = APIRequestSpec(method: "POST", path: "/api/graphql", headers: headers,
                                     body: Array(try JSONEncoder().encode(body)))
        let reply = try await transport.send(request)
        logger.debug("GraphQL", metadata: ["operation": "\(operation.name)", "status": "\(reply.status)"])
        return reply
    }

    /// Decodes a reply: non-200 → `Error.http`, `errors` → `Error.graphQL`, else `data[rootField]`.
    /// Public so the fuzz driver (`Fuzz/MydiaFuzz`) can feed it hostile bodies.
    public static func decode<Result>(_ reply: APIReply, _ operation: GraphQLOperation<Result>) throws(Error) -> Result {
        guard reply.status == 200 else {
            let body = try? JSONDecoder().decode(APIErrorBody.self, from: Data(reply.body))
            throw .http(status: reply.status, code: body?.error.map(DisplayText.sanitized),
                        message: body?.message.map(DisplayText.sanitized))
        }
        // Errors first: with `errors`, `data` may be partial or null (§11.14).
        if let failed = try? JSONDecoder().decode(GraphQLErrorsBody.self, from: Data(reply.body)),
           let errors = failed.errors, !errors.isEmpty {
            throw .graphQL(errors.map { DisplayText.sanitized($0.message) })
        }
        let envelope: GraphQLResponseBody<Result>
        do { envelope = try JSONDecoder().decode(GraphQLResponseBody<Result>.self, from: Data(reply.body)) } catch {
            throw .invalidResponse(operation.name)
        }
        guard let data = envelope.data, let value = data[operation.rootField] else {
            throw .invalidResponse(operation.name)
        }
        return value
    }
}
