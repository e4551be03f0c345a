/// A GraphQL variable value, encoded as JSON.
public enum GraphQLValue: Sendable, Hashable, Encodable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case null

    /// Encodes the JSON value.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let v): try c.encode(v)
        case .int(let v): try c.encode(v)
        case .double(let v): try c.encode(v)
        case .bool(let v): try c.encode(v)
        case .null: try c.encodeNil()
        }
    }
}

/// One GraphQL operation: the document, its variables and the root field whose value is wanted.
public struct GraphQLOperation<Result: Decodable & Sendable>: Sendable {
    /// The GraphQL document.
    public var document: String
    /// `operationName` in the request.
    public var name: String
    /// The root field of `data` that holds the result.
    public var rootField: String
    /// Variables; absent optional arguments are left out.
    public var variables: [String: GraphQLValue]
    /// Extra request headers (e.g. `X-Mydia-Device-Profile`, §14.2.7), lower-case names.
    public var headers: [String: String] = [:]
    /// The same operation for a server of the older stock generation (`schema-2026-07-01`, PROTOCOL.md
    /// §14.2.8), when it differs: sent once after the server named an unknown field or argument.
    public var legacy: LegacyForm?

    /// A document and its variables in the older generation's dialect.
    public struct LegacyForm: Sendable, Hashable {
        /// The older document (same operation name and root field).
        public var document: String
        /// Its variables.
        public var variables: [String: GraphQLValue]

        /// Creates the older form.
        public init(document: String, variables: [String: GraphQLValue]) {
            self.document = document
            self.variables = variables
        }
    }

    /// - Parameters:
    ///   - name: the operation name declared in `document`.
    ///   - rootField: the field of `data` to decode as `Result`.
    ///   - document: the GraphQL document.
    ///   - variables: the variables.
    ///   - legacy: the older generation's form, when it differs (§14.2.8).
    public init(name: String, rootField: String, document: String, variables: [String: GraphQLValue] = [:],
                legacy: LegacyForm? = nil) {
        self.name = name
        self.rootField = rootField
        self.document = document
        self.variables = variables
        self.legacy = legacy
    }

    /// Whether the document is a query (idempotent: may be re-sent, PROTOCOL.md §12.20).
    public var isQuery: Bool { document.drop { $0 == " " || $0 == "\n" }.hasPrefix("query") }
}

/// The HTTP body of a GraphQL request (`{"query","variables","operationName"}`, §7).
struct GraphQLRequestBody: Encodable {
    var query: String
    var variables: [String: GraphQLValue]
    var operationName: String
}

/// The GraphQL response envelope: `data` (one root field wanted) and `errors`.
struct GraphQLResponseBody<Result: Decodable>: Decodable {
    var data: [String: Result]?
}

/// Only the `errors` of a GraphQL response.
struct GraphQLErrorsBody: Decodable {
    struct Message: Decodable { var message: String }
    var errors: [Message]?
}

/// The instance's HTTP error body `{"error","message"}` (PROTOCOL.md §7).
struct APIErrorBody: Decodable {
    var error: String?
    var message: String?
}
