/// A list the stock schema declares as `[T]` — the list and each element nullable (PROTOCOL.md
/// §14.1): `null`, an absent key and `null` elements all decode to what is there, so a model holds a
/// plain `[T]`. Encodes as a plain array (the offline cache reads it back the same way).
@propertyWrapper
public struct CompactList<Element: Sendable & Hashable & Codable>: Sendable, Hashable, Codable {
    /// The non-null elements, in order.
    public var wrappedValue: [Element]

    /// Wraps `wrappedValue`.
    public init(wrappedValue: [Element]) { self.wrappedValue = wrappedValue }

    /// Decodes `null` or a list whose `null` elements are dropped.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        wrappedValue = c.decodeNil() ? [] : try c.decode([Element?].self).compactMap { $0 }
    }

    /// Encodes the elements.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(wrappedValue)
    }
}

extension KeyedDecodingContainer {
    /// An absent key decodes as an empty list for `CompactList` (older servers lack some lists).
    public func decode<Element>(_ type: CompactList<Element>.Type, forKey key: Key) throws -> CompactList<Element> {
        try decodeIfPresent(type, forKey: key) ?? CompactList(wrappedValue: [])
    }
}
