import Foundation

/// A JSON value: mpv's IPC (commands out, replies and events in) and the CLI's JSON output.
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The value of a `JSONSerialization`-style tree: strings, booleans, numbers, `NSNull`, arrays
    /// and string-keyed dictionaries of those, optionals (`nil` is null); `nil` for anything else.
    public init?(any value: Any) {
        switch value {
        case let v as JSONValue: self = v
        case is NSNull: self = .null
        case let v as String: self = .string(v)
        case let v as Bool where type(of: value) == Bool.self: self = .bool(v)
        case let v as any BinaryInteger: self = .number(Double(v))
        case let v as any BinaryFloatingPoint: self = .number(Double(v))
        case let v as NSNumber: self = .number(v.doubleValue)
        case let v as [Any]:
            var items: [JSONValue] = []
            for item in v {
                guard let item = JSONValue(any: item) else { return nil }
                items.append(item)
            }
            self = .array(items)
        case let v as [String: Any]:
            var fields: [String: JSONValue] = [:]
            for (key, item) in v {
                guard let item = JSONValue(any: item) else { return nil }
                fields[key] = item
            }
            self = .object(fields)
        default:
            let mirror = Mirror(reflecting: value)
            guard mirror.displayStyle == .optional else { return nil }
            guard let wrapped = mirror.children.first?.value else { self = .null; return }
            self.init(any: wrapped)
        }
    }

    /// Parses one JSON text.
    static func decode(_ bytes: [UInt8]) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    /// Compact JSON text with sorted keys (one line: no raw newlines survive string escaping).
    /// `JSONEncoder` sorts by code point; `JSONSerialization` would sort with an ICU collator,
    /// which loads ICU's locale data (§13.74).
    public func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "null"
    }

    /// The number, if this is one.
    public var doubleValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The flag, if this is one.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The string, if this is one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }
}
