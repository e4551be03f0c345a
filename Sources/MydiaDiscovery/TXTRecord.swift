/// DNS-SD TXT key/value pairs (RFC 6763 §6): `key=value` strings, keys compared
/// case-insensitively, the first occurrence of a key wins, a string without `=` is a flag.
public struct TXTRecord: Sendable, Hashable {
    /// The pairs in order; a flag has value `nil`.
    public var pairs: [(key: String, value: String?)] {
        entries.map { ($0.key, $0.value) }
    }

    private var entries: [Entry]

    private struct Entry: Sendable, Hashable {
        var key: String
        var value: String?
    }

    /// Pairs in the order they go on the wire.
    public init(_ pairs: [(String, String)]) {
        entries = pairs.map { Entry(key: $0.0, value: $0.1) }
    }

    /// Decodes the character strings of a TXT record; strings with an empty key are ignored.
    public init(strings: [[UInt8]]) {
        entries = []
        var seen = Set<String>()
        for s in strings {
            let text = String(decoding: s, as: UTF8.self)
            let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0])
            guard !key.isEmpty, seen.insert(key.lowercased()).inserted else { continue }
            entries.append(Entry(key: key, value: parts.count == 2 ? String(parts[1]) : nil))
        }
    }

    /// The value of `key`, `nil` when absent or a flag.
    public subscript(key: String) -> String? {
        entries.first { $0.key.lowercased() == key.lowercased() }?.value ?? nil
    }

    /// The character strings to put on the wire (each cut at 255 bytes).
    public var strings: [[UInt8]] {
        entries.map { e in Array((e.value.map { "\(e.key)=\($0)" } ?? e.key).utf8.prefix(255)) }
    }
}
