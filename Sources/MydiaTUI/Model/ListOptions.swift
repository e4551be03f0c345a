public import MydiaAPI

/// The two browsable lists that sort and filter.
public enum BrowseList: String, Hashable, Sendable, Codable, CodingKeyRepresentable, CaseIterable {
    case movies, shows
}

/// How one list is shown: its sort, whether only unwatched items show, a genre, and the fuzzy
/// filter text. Remembered per list and server in the catalog cache.
public struct ListOptions: Sendable, Hashable, Codable {
    /// The order (the server is asked for it too, so pages arrive in it).
    public var sort: ListSort = .byTitle
    /// Hide watched items.
    public var unwatchedOnly = false
    /// Only items of this genre.
    public var genre: String?
    /// The fuzzy filter text (accent- and case-insensitive, also against the original title).
    public var filter = ""

    /// Default options: by title, everything.
    public init() {}

    /// Whether anything hides items (then the whole list is loaded, page after page).
    public var narrows: Bool { unwatchedOnly || genre != nil || !filter.isEmpty }

    /// The sort's name in the list heading: `title`, `year ↓`, `date added`, `rating`.
    public var sortLabel: String {
        let name = switch sort.field {
        case .title: "title"
        case .year: "year"
        case .addedAt: "date added"
        case .rating: "rating"
        }
        return sort.descending ? name + " ↓" : name
    }

    /// The next sort field in `o`'s cycle: title → year → date added → rating → title. Year, date
    /// added and rating start newest/highest first, title A to Z.
    mutating func cycleSort() {
        let order: [ListSort.Field] = [.title, .year, .addedAt, .rating]
        let next = order[((order.firstIndex(of: sort.field) ?? 0) + 1) % order.count]
        sort = ListSort(next, descending: next != .title)
    }
}
