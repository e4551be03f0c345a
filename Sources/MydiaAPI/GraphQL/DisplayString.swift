import MydiaWire

/// A display string from the network, stripped of control characters as it is decoded
/// (PROTOCOL.md §12.18), so nothing the server sends can drive the terminal.
@propertyWrapper
public struct DisplayString: Sendable, Hashable, Codable {
    /// The sanitised text.
    public var wrappedValue: String

    /// Sanitises `wrappedValue`.
    public init(wrappedValue: String) { self.wrappedValue = DisplayText.sanitized(wrappedValue) }

    /// Decodes and sanitises a JSON string.
    public init(from decoder: any Decoder) throws {
        self.init(wrappedValue: try decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes the sanitised text.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(wrappedValue)
    }
}

/// A display name (`device_name`, `instance_name`): sanitised and cut to 64 characters (§12.18).
@propertyWrapper
public struct DisplayName: Sendable, Hashable, Codable {
    /// The sanitised, shortened name.
    public var wrappedValue: String

    /// Sanitises and shortens `wrappedValue`.
    public init(wrappedValue: String) { self.wrappedValue = DisplayText.name(wrappedValue) }

    /// Decodes, sanitises and shortens a JSON string.
    public init(from decoder: any Decoder) throws {
        self.init(wrappedValue: try decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes the name.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(wrappedValue)
    }
}

/// An optional display string (`overview`, `subtitle`, …): `null` or absent stays `nil`.
@propertyWrapper
public struct OptionalDisplayString: Sendable, Hashable, Codable {
    /// The sanitised text, or `nil`.
    public var wrappedValue: String?

    /// Sanitises `wrappedValue`.
    public init(wrappedValue: String?) { self.wrappedValue = wrappedValue.map(DisplayText.sanitized) }

    /// Decodes `null` or a string.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        self.init(wrappedValue: c.decodeNil() ? nil : try c.decode(String.self))
    }

    /// Encodes the text or `null`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if let wrappedValue { try c.encode(wrappedValue) } else { try c.encodeNil() }
    }
}

extension KeyedDecodingContainer {
    /// An absent key decodes as `nil` for `OptionalDisplayString` (synthesised `Decodable` would
    /// otherwise require the key).
    public func decode(_ type: OptionalDisplayString.Type, forKey key: Key) throws -> OptionalDisplayString {
        try decodeIfPresent(type, forKey: key) ?? OptionalDisplayString(wrappedValue: nil)
    }
}
