import GraphQL
import Graphiti

/// The `ID` scalar: accepts strings and integers as input and always serialises as a string
/// (GraphQL spec §3.5.5), backed by `ItemID`.
enum IDScalar {
    @Sendable static func serialize(_ value: Any, _: Coders) throws -> Map {
        guard let id = value as? ItemID else { throw GraphQLError(message: "ID cannot represent \(type(of: value))") }
        return .string(id.rawValue)
    }

    @Sendable static func parseValue(_ map: Map, _: Coders) throws -> Map {
        switch map {
        case .string: return map
        case .number(let n) where n.doubleValue.rounded() == n.doubleValue: return .string(String(n.intValue))
        default: throw GraphQLError(message: "ID must be a string or an integer.")
        }
    }

    @Sendable static func parseLiteral(_ value: any GraphQL.Value, _: Coders) throws -> Map {
        if let s = value as? StringValue { return .string(s.value) }
        if let i = value as? IntValue { return .string(i.value) }
        throw GraphQLError(message: "ID must be a string or an integer.")
    }
}
