import MydiaCrypto

/// Cursor pagination for connections (PROTOCOL.md §11.15): opaque cursors, `first` omitted → 50,
/// capped at 100, an invalid cursor is an error.
///
/// A cursor encodes the sort key and id of the last item seen (`b64url("v1\n" key "\n" id)`), so a
/// page boundary survives items being added or removed before it.
struct CursorPage<Item> {
    static var defaultSize: Int { 50 }
    static var maximumSize: Int { 100 }

    enum Error: Swift.Error, CustomStringConvertible {
        case invalidCursor
        case invalidFirst

        var description: String {
            switch self {
            case .invalidCursor: "The cursor is not valid — start again without `after`."
            case .invalidFirst: "`first` must not be negative."
            }
        }
    }

    var items: [(item: Item, cursor: String)]
    var hasNextPage: Bool
    var totalCount: Int
    var endCursor: String? { items.last?.cursor }

    /// - Parameters:
    ///   - sorted: all items, sorted by (`key`, `id`) ascending.
    ///   - key: an item's sort key and id (neither may contain a newline).
    init(sorted: [Item], key: (Item) -> (String, String), first: Int?, after: String?) throws {
        let size = try Self.pageSize(first)
        var start = 0
        if let after {
            let (afterKey, afterID) = try Self.decode(after)
            start = sorted.firstIndex { item in
                let (k, id) = key(item)
                return k != afterKey ? k > afterKey : id > afterID
            } ?? sorted.count
        }
        let end = min(sorted.count, start + size)
        items = sorted[start..<end].map { item in
            let (k, id) = key(item)
            return (item, Self.encode(key: k, id: id))
        }
        hasNextPage = end < sorted.count
        totalCount = sorted.count
    }

    static func pageSize(_ first: Int?) throws -> Int {
        guard let first else { return defaultSize }
        guard first >= 0 else { throw Error.invalidFirst }
        return min(first, maximumSize)
    }

    static func encode(key: String, id: String) -> String {
        Encoding.base64URL(Array("v1\n\(key)\n\(id)".utf8))
    }

    static func decode(_ cursor: String) throws -> (String, String) {
        guard cursor.utf8.count <= 4096, let bytes = Encoding.fromBase64URL(cursor),
              let text = String(validating: bytes, as: UTF8.self) else { throw Error.invalidCursor }
        let parts = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "v1", !parts[2].isEmpty else { throw Error.invalidCursor }
        return (String(parts[1]), String(parts[2]))
    }
}
