import Foundation

/// `SortField`: what a `movies` / `tvShows` list is ordered by. The 2026-07-01 generation's four
/// values; the later ones (runtime, popularity, …) are not served.
enum SortFieldValue: String, Codable, Sendable, CaseIterable {
    case title = "TITLE"
    case addedAt = "ADDED_AT"
    case year = "YEAR"
    case rating = "RATING"
}

/// `SortDirection`.
enum SortDirectionValue: String, Codable, Sendable, CaseIterable {
    case asc = "ASC"
    case desc = "DESC"
}

/// `SortInput { field direction }` (stock's `seed` only matters for its random sort, not served).
struct SortInputObject: Codable, Sendable {
    var field: SortFieldValue?
    var direction: SortDirectionValue?
}

/// The cursor sort key of an item under a `SortInput`: the field's value, then the folded title, so
/// ties read alphabetically. A descending field's part is inverted, which keeps `CursorPage`'s one
/// ascending order (and its cursors) for every sort.
enum LibrarySort {
    /// The key for an item with these facts. Without a sort (or a field) the list is by title.
    static func key(_ sort: SortInputObject?, title: String, year: Int?, addedAt: Date, rating: Double?) -> String {
        let folded = LibraryNames.folded(title).replacingOccurrences(of: "\n", with: " ")
        let field = sort?.field ?? .title
        // Missing values sort last ascending (and first descending).
        let primary: String = switch field {
        case .title: folded
        case .year: year.map { String(format: "%06d", max(0, $0)) } ?? "999999"
        case .addedAt: String(format: "%014.0f", max(0, addedAt.timeIntervalSince1970))
        case .rating: rating.map { String(format: "%07.3f", max(0, $0)) } ?? "999.999"
        }
        let ordered = sort?.direction == .desc ? inverted(primary) : primary
        return field == .title ? ordered : ordered + "\u{1}" + folded
    }

    /// A string whose ascending order is the reverse of `text`'s: each scalar as six hex digits
    /// of its distance from the top of Unicode, and a terminator above every digit so a prefix
    /// sorts after the longer strings it starts.
    static func inverted(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars { out += String(format: "%06x", 0x10FFFF - Int(scalar.value)) }
        return out + "~"
    }
}
