public import Foundation
import GraphQL
public import MydiaWire
import Graphiti
public import Logging

/// `POST /api/graphql` (PROTOCOL.md §7): the one entry point the HTTP layer and the tunnel call.
///
/// Auth (PROTOCOL.md §11.14, §12.14): operations whose root fields are only `refreshAccessToken`,
/// `serverCompatibility` and `__typename` need no bearer, and an invalid bearer on them is ignored.
/// Anything else needs a valid, unexpired access token of a device that is not revoked — and inside
/// a tunnel, of the handshake's device — or it gets HTTP 401 `{"error":"unauthorized","message"}`.
/// GraphQL errors travel as HTTP 200 with `errors`; a body that is not a GraphQL request is a 400.
public final class GraphQLService: Sendable {
    /// An HTTP response: status and JSON body.
    public struct Response: Sendable, Equatable {
        /// 200, 400 or 401.
        public var status: Int
        /// JSON.
        public var body: Data
    }

    /// Largest request body accepted, in bytes.
    public static let maxBodySize = 1 << 20

    /// Root fields that need no bearer (PROTOCOL.md §11.14).
    public static let bearerFreeFields: Set<String> = ["refreshAccessToken", "serverCompatibility", "login", "verifyTotp", "__typename"]

    private let schema: Schema<CatalogResolver, GraphQLContext>
    private let library: MediaLibrary
    private let devices: DeviceStore
    private let streaming: (any StreamingSessionProvider)?
    private let compatibility: ServerCompatibilityObject
    private let onRevoke: @Sendable (String) async -> Void
    private let login: LoginAuthority?
    private let logger: Logger

    /// - Parameters:
    ///   - library: the catalog and progress.
    ///   - devices: devices and tokens.
    ///   - streaming: where `startStreamingSession`/`endStreamingSession` go; `nil` = those fail.
    ///   - version: `serverCompatibility.version`.
    ///   - minPlayerVersion: `serverCompatibility.minPlayerVersion`.
    ///   - onRevoke: called with the device id after `revokeDevice` succeeded, so the server can close
    ///     that device's sessions at once (PROTOCOL.md §12.14).
    public init(library: MediaLibrary, devices: DeviceStore, streaming: (any StreamingSessionProvider)?,
                version: String, minPlayerVersion: String,
                onRevoke: @escaping @Sendable (String) async -> Void = { _ in },
                login: LoginAuthority? = nil,
                logger: Logger = Logger(label: "mydia.graphql")) throws {
        self.login = login
        self.schema = try CatalogSchema.make()
        self.library = library
        self.devices = devices
        self.streaming = streaming
        self.compatibility = ServerCompatibilityObject(version: version, minPlayerVersion: minPlayerVersion)
        self.onRevoke = onRevoke
        self.logger = logger
    }

    /// Executes one request body `{"query","variables","operationName"}`.
    /// - Parameters:
    ///   - body: the HTTP request body.
    ///   - bearer: the token from `Authorization: Bearer …`, if any.
    ///   - tunnelDeviceID: the device authenticated by the tunnel's handshake; `nil` on the direct path.
    ///   - deviceProfile: the request's decoded `X-Mydia-Device-Profile` (PROTOCOL.md §14.2.7), for
    ///     `directPlaySupported` and `streamingCandidates`; `nil` when absent or unusable.
    ///   - clientAddress: the caller's IP address on the direct listener (login rate limits).
    public func execute(body: Data, bearer: String?, tunnelDeviceID: String?,
                        deviceProfile: DeviceProfile? = nil, clientAddress: String? = nil) async -> Response {
        guard body.count <= Self.maxBodySize else {
            return Self.error(400, "bad_request", "The request body is larger than 1 MiB.")
        }
        let request: GraphQLRequest
        do {
            request = try JSONDecoder().decode(GraphQLRequest.self, from: body)
        } catch {
            return Self.error(400, "bad_request", "The body must be a JSON object with a string \"query\".")
        }
        let (rootFields, refusal) = Self.analyze(request)
        if let refusal { return Self.refused(refusal) }

        var device: DeviceRecord?
        if let bearer, !bearer.isEmpty {
            device = try? await devices.validate(bearer, kind: .access)
            if let d = device, let tunnel = tunnelDeviceID, d.id != tunnel.lowercased() { device = nil }
        }
        let bearerFree = rootFields.map { !$0.isEmpty && $0.isSubset(of: Self.bearerFreeFields) } ?? false
        if !bearerFree, device == nil {
            return Self.error(401, "unauthorized", bearer == nil
                ? "This request needs an access token."
                : "The access token is not valid — refresh it or pair again.")
        }

        let context = GraphQLContext(library: library, devices: devices, streaming: streaming, device: device,
                                     deviceProfile: deviceProfile, login: login, clientAddress: clientAddress,
                                     compatibility: compatibility, onRevoke: onRevoke)
        let result: GraphQLResult
        do {
            result = try await schema.execute(request: request.query, resolver: CatalogResolver(), context: context,
                                              variables: request.variables, operationName: request.operationName)
        } catch let error as GraphQLError {
            result = GraphQLResult(data: nil, errors: [error])
        } catch {
            result = GraphQLResult(data: nil, errors: [GraphQLError(message: String(describing: error))])
        }
        do {
            return Response(status: 200, body: try GraphQLJSONEncoder().encode(result))
        } catch {
            logger.error("could not encode a GraphQL result", metadata: ["error": "\(error)"])
            return Self.error(500, "internal_error", "The server could not encode its answer.")
        }
    }

    /// What the server needs to know of a request before running it: the root field names of the
    /// operation that would run (`nil` if that cannot be told — syntax error, unknown or ambiguous
    /// operation: such requests need a bearer), or why it is refused (``GraphQLLimits``).
    static func analyze(_ request: GraphQLRequest) -> (rootFields: Set<String>?, refusal: String?) {
        if let refusal = GraphQLLimits.preflight(request.query) { return (nil, refusal) }
        guard let document = try? parse(source: request.query, noLocation: true) else { return (nil, nil) }
        let operations = document.definitions.compactMap { $0 as? OperationDefinition }
        var fragments: [String: FragmentDefinition] = [:]
        for case let fragment as FragmentDefinition in document.definitions { fragments[fragment.name.value] = fragment }
        let operation: OperationDefinition?
        if let name = request.operationName {
            operation = operations.first { $0.name?.value == name }
        } else {
            operation = operations.count == 1 ? operations[0] : nil
        }
        guard let operation else { return (nil, nil) }
        if let refusal = GraphQLLimits.check(operation, fragments: fragments) { return (nil, refusal) }
        var names = Set<String>()
        var visited = Set<String>()
        func collect(_ set: SelectionSet) {
            for selection in set.selections {
                switch selection {
                case let field as GraphQL.Field: names.insert(field.name.value)
                case let inline as InlineFragment: collect(inline.selectionSet)
                case let spread as FragmentSpread:
                    guard visited.insert(spread.name.value).inserted else { continue }
                    if let fragment = fragments[spread.name.value] { collect(fragment.selectionSet) }
                    else { names.insert("") }  // unknown fragment: never bearer-free
                default: names.insert("")
                }
            }
        }
        collect(operation.selectionSet)
        return (names, nil)
    }

    /// A request refused by ``GraphQLLimits``: HTTP 400 with a GraphQL error.
    static func refused(_ message: String) -> Response {
        let body = (try? JSONSerialization.data(withJSONObject: ["errors": [["message": message, "extensions": ["code": "QUERY_TOO_COMPLEX"]]]],
                                                options: [.sortedKeys])) ?? Data()
        return Response(status: 400, body: body)
    }

    static func error(_ status: Int, _ code: String, _ message: String) -> Response {
        let body = (try? JSONSerialization.data(withJSONObject: ["error": code, "message": message],
                                                options: [.sortedKeys])) ?? Data()
        return Response(status: status, body: body)
    }
}
