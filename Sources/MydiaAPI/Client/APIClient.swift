import MydiaConnection
import Foundation
public import Logging
import MydiaWire

/// The app's door to one server: typed GraphQL operations over an `APITransport`, with the bearer
/// header, JSON coding, and the server's way of authenticating:
/// - a paired instance: on 401 the access token is refreshed once with the device token
///   (PROTOCOL.md §7, §11.3);
/// - a URL login: a 401 means "log in again" — there is no refresh (§14.2.3);
/// - anonymous: no bearer (the login mutations themselves, §14.2.2).
///
/// An operation that has an older-generation form is retried once in that form when the server
/// names an unknown field or argument, and the generation is remembered (§14.2.8).
public actor APIClient {
    /// What went wrong with a request; `description` is one plain sentence for the user.
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// The server answered with GraphQL `errors` (sanitised messages).
        case graphQL([String])
        /// 401 even after refreshing the access token with the device token.
        case deviceRevoked
        /// A URL-login server answered 401: the access token is no longer accepted (§14.2.3).
        case loginExpired
        /// The server has its player switched off (404 `PLAYER_DISABLED`, §14.2.4); its own text.
        case playerDisabled(String)
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
            case .loginExpired:
                "The server no longer accepts this login — log in again with `mydia-tui login URL`."
            case .playerDisabled(let message):
                message.isEmpty ? "The server has its player switched off — ask its owner to turn it on."
                    : message + (message.hasSuffix(".") ? "" : ".")
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

    /// How requests are authenticated.
    public enum Authentication: Sendable, Hashable {
        /// A paired instance: bearer from the store, refreshed once on 401 with the device token.
        case paired(instanceID: String)
        /// A URL-login server (its local id): bearer from the store; 401 → `Error.loginExpired`.
        case login(id: String)
        /// No bearer: `login`, `verifyTotp`, `serverCompatibility`.
        case anonymous
    }

    /// The server this client talks to: the instance id of a paired server, the local id of a
    /// URL login, `""` when anonymous.
    public nonisolated let instanceID: String
    /// How requests are authenticated.
    public nonisolated let authentication: Authentication
    /// The schema generation the server speaks, as far as this client knows (§14.2.8).
    public private(set) var generation: ServerGeneration
    let transport: any APITransport
    private let store: CredentialStore
    private let logger: Logger
    private var refreshing: Task<String, any Swift.Error>?
    /// Operations whose current-generation document failed once in this process (§14.2.8).
    private var failedCurrentDocuments: Set<String> = []

    /// A client for a paired instance.
    /// - Parameters:
    ///   - transport: the path to the instance (relay tunnel or pinned direct).
    ///   - store: where the instance's credentials live; refreshed tokens are saved there.
    ///   - instanceID: the paired instance to talk to.
    ///   - logger: receives operation names and statuses, never tokens or bodies.
    public init(transport: any APITransport, store: CredentialStore, instanceID: String,
                logger: Logger = Logger(label: "mydia.api")) {
        self.init(transport: transport, store: store, authentication: .paired(instanceID: instanceID), logger: logger)
    }

    /// A client with any authentication.
    /// - Parameters:
    ///   - transport: the path to the server.
    ///   - store: where its credentials live (a learnt generation of a login server is saved there).
    ///   - authentication: paired, login or anonymous.
    ///   - generation: what is known of the server's schema generation (a login server's record).
    ///   - logger: receives operation names and statuses, never tokens or bodies.
    public init(transport: any APITransport, store: CredentialStore, authentication: Authentication,
                generation: ServerGeneration = .current, logger: Logger = Logger(label: "mydia.api")) {
        switch authentication {
        case .paired(let id): instanceID = id.lowercased()
        case .login(let id): instanceID = id.lowercased()
        case .anonymous: instanceID = ""
        }
        self.authentication = authentication
        self.generation = generation
        self.transport = transport
        self.store = store
        self.logger = logger
    }

    /// Runs one operation (see the type's description for 401 handling). When the server names
    /// an unknown field or argument and the operation has an older form, that form is sent once
    /// and the server's generation is remembered, so later operations go straight to it.
    public func perform<Result>(_ operation: GraphQLOperation<Result>) async throws -> Result {
        let legacy = generation == .legacy2026_07 ? operation.legacy : nil
        do {
            return try await performAuthenticated(operation, legacy: legacy)
        } catch Error.graphQL(let messages) where legacy == nil && operation.legacy != nil
            && !failedCurrentDocuments.contains(operation.name) && messages.contains(where: Self.namesUnknownField) {
            failedCurrentDocuments.insert(operation.name)
            logger.notice("The server lacks a field of the current schema; using the older one",
                          metadata: ["operation": "\(operation.name)"])
            await learn(.legacy2026_07)
            return try await performAuthenticated(operation, legacy: operation.legacy)
        }
    }

    /// Whether a GraphQL error message names a field or argument the server does not know —
    /// the sign of an older schema generation (§14.2.8).
    public static func namesUnknownField(_ message: String) -> Bool {
        message.contains("Cannot query field \"") || message.contains("Unknown argument \"")
    }

    /// Exchanges the stored media token for a new one and saves it (§12.14). Paired servers only.
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

    /// The paired instance's current stored credentials (e.g. the media token for HLS URLs).
    /// - Throws: `Error.deviceRevoked` when the instance was unpaired meanwhile;
    ///   `Error.credentials(.notFound)` for a client that is not a paired server's.
    public func storedCredentials() async throws(Error) -> ServerCredentials { try await credentials() }

    /// The URL-login server's current stored entry (its access token is the bearer for media too).
    /// - Throws: `Error.loginExpired` when it was logged out meanwhile;
    ///   `Error.credentials(.notFound)` for a client that is not a login server's.
    public func storedLogin() async throws(Error) -> LoginServer {
        guard case .login(let id) = authentication else { throw .credentials(.notFound(instanceID)) }
        guard let stored = await store.login(id: id) else { throw .loginExpired }
        return stored
    }

    func credentials() async throws(Error) -> ServerCredentials {
        guard case .paired(let id) = authentication else { throw .credentials(.notFound(instanceID)) }
        guard let stored = await store.credentials(instanceID: id) else { throw .deviceRevoked }
        return stored
    }

    private func performAuthenticated<Result>(_ operation: GraphQLOperation<Result>,
                                              legacy: GraphQLOperation<Result>.LegacyForm?) async throws -> Result {
        switch authentication {
        case .anonymous:
            return try Self.decode(try await send(operation, legacy: legacy, bearer: nil), operation)
        case .login:
            let token = try await storedLogin().accessToken
            let reply = try await send(operation, legacy: legacy, bearer: token)
            // §14.2.3: no refresh after a URL login; a 401 means "log in again".
            guard reply.status != 401 else { throw Error.loginExpired }
            return try Self.decode(reply, operation)
        case .paired:
            let token = try await credentials().accessToken
            let reply = try await send(operation, legacy: legacy, bearer: token)
            guard reply.status == 401 else { return try Self.decode(reply, operation) }
            logger.info("Access token refused; refreshing once", metadata: ["operation": "\(operation.name)"])
            let fresh = try await refreshAccessToken(replacing: token)
            let retry = try await send(operation, legacy: legacy, bearer: fresh)
            guard retry.status != 401 else { throw Error.deviceRevoked }
            return try Self.decode(retry, operation)
        }
    }

    /// Remembers the generation; a login server's record keeps it for later runs.
    private func learn(_ learnt: ServerGeneration) async {
        guard generation != learnt else { return }
        generation = learnt
        guard case .login(let id) = authentication else { return }
        do { try await store.updateLogin(id: id, generation: learnt) } catch {
            logger.warning("The server's schema generation could not be saved", metadata: ["error": "\(error)"])
        }
    }

    /// Refreshes the access token unless someone else already replaced `stale`; concurrent
    /// callers share one refresh.
    func refreshAccessToken(replacing stale: String) async throws -> String {
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
        let reply = try await send(operation, legacy: nil, bearer: nil)
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

    private func send<Result>(_ operation: GraphQLOperation<Result>, legacy: GraphQLOperation<Result>.LegacyForm?,
                              bearer: String?) async throws -> APIReply {
        let body = GraphQLRequestBody(query: legacy?.document ?? operation.document,
                                      variables: legacy?.variables ?? operation.variables, operationName: operation.name)
        var headers = operation.headers
        headers["content-type"] = "application/json"
        headers["accept"] = "application/json"
        if let bearer { headers["authorization"] = "Bearer \(bearer)" }
        let request = APIRequestSpec(method: "POST", path: "/api/graphql", headers: headers,
                                     body: Array(try JSONEncoder().encode(body)))
        let reply = try await transport.send(request)
        logger.debug("GraphQL", metadata: ["operation": "\(operation.name)", "status": "\(reply.status)",
                                           "form": "\(legacy == nil ? "current" : "legacy")"])
        return reply
    }

    /// Decodes a reply: `PLAYER_DISABLED` → `Error.playerDisabled`, other non-200 →
    /// `Error.http` (a proxy's HTML or gateway error in one sentence, never the page itself),
    /// `errors` → `Error.graphQL`, else `data[rootField]`.
    /// Public so the fuzz driver (`Fuzz/MydiaFuzz`) can feed it hostile bodies.
    public static func decode<Result>(_ reply: APIReply, _ operation: GraphQLOperation<Result>) throws(Error) -> Result {
        let details = try? JSONDecoder().decode(GraphQLErrorDetails.self, from: Data(reply.body))
        if let disabled = details?.errors?.first(where: { $0.extensions?.code == "PLAYER_DISABLED" }) {
            throw .playerDisabled(DisplayText.sanitized(disabled.message ?? ""))
        }
        if ProxyPage.isWebPage(reply) {
            throw .http(status: reply.status, code: nil, message: ProxyPage.sentence(status: reply.status))
        }
        guard reply.status == 200 else {
            let body = try? JSONDecoder().decode(APIErrorBody.self, from: Data(reply.body))
            if body == nil, let sentence = ProxyPage.gatewaySentence(status: reply.status) {
                throw .http(status: reply.status, code: nil, message: sentence)
            }
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

/// GraphQL `errors` with their `extensions.code` (the player-disabled answer, §14.2.4).
struct GraphQLErrorDetails: Decodable {
    struct Item: Decodable {
        struct Extensions: Decodable { var code: String? }
        var message: String?
        var extensions: Extensions?
    }

    var errors: [Item]?
}
