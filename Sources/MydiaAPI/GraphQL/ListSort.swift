/// How a `movies` or `tvShows` list is ordered (stock's `SortInput { field direction }`, with the
/// four fields both stock generations have).
public struct ListSort: Sendable, Hashable, Codable {
    /// Stock's `SortField` values both generations know.
    public enum Field: String, Sendable, Hashable, Codable, CaseIterable {
        case title = "TITLE"
        case year = "YEAR"
        case addedAt = "ADDED_AT"
        case rating = "RATING"
    }

    /// What to order by.
    public var field: Field
    /// Largest (or last) first.
    public var descending: Bool

    /// A sort.
    public init(_ field: Field, descending: Bool = false) {
        self.field = field
        self.descending = descending
    }

    /// By title, A to Z: what a server does without `sort`.
    public static let byTitle = ListSort(.title)

    /// The document's extra variable declarations (`$sortField`, `$sortDirection`).
    static let parameters = ", $sortField: SortField, $sortDirection: SortDirection"
    /// The field's `sort:` argument, built from the two variables (an absent field means by title).
    static let argument = ", sort: { field: $sortField, direction: $sortDirection }"
}

extension Optional where Wrapped == ListSort {
    /// The two sort variables; none for no sort.
    var variables: [(String, GraphQLValue?)] {
        guard let sort = self else { return [] }
        return [("sortField", .string(sort.field.rawValue)), ("sortDirection", .string(sort.descending ? "DESC" : "ASC"))]
    }
}
