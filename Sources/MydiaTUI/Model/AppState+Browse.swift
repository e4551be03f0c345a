import MydiaAPI

/// The rows a sorted and filtered list shows: indices into the loaded items, rebuilt when items
/// arrive or the options change (never per key press, so moving through 10 000 rows stays cheap).
struct ListView: Sendable {
    /// Indices into `catalog.movies.items` / `catalog.shows.items`, in display order.
    var order: [Int] = []
    /// Folded title and original title (empty when none) by id, with the title they were folded
    /// from (an id whose title changed is folded again); kept across rebuilds.
    var folded: [String: (title: String, key: String, original: String)] = [:]
}

// Sort and filter in Movies and Shows: `o` cycles the sort, `O` reverses it, `u` shows unwatched
// only, `F` cycles the genres present, `f` types a fuzzy filter.
extension AppState {
    /// A list's options (defaults until changed).
    public func options(_ list: BrowseList) -> ListOptions { catalog.listOptions[list] ?? ListOptions() }

    /// The list on screen, if it sorts and filters.
    var browseList: BrowseList? {
        switch screen {
        case .movies: .movies
        case .shows: .shows
        default: nil
        }
    }

    /// Rebuilds both lists' views.
    mutating func rebuildViews() {
        for list in BrowseList.allCases { rebuildView(list) }
    }

    /// Rebuilds one list's view from the loaded items and its options.
    mutating func rebuildView(_ list: BrowseList) {
        switch list {
        case .movies: views[.movies] = Self.view(of: catalog.movies.items, options: options(.movies), previous: views[.movies])
        case .shows: views[.shows] = Self.view(of: catalog.shows.items, options: options(.shows), previous: views[.shows])
        }
    }

    static func view<Item: Browsable>(of items: [Item], options: ListOptions, previous: ListView?) -> ListView {
        var view = ListView(order: [], folded: previous?.folded ?? [:])
        var keys: [String] = []
        var originals: [String] = []
        keys.reserveCapacity(items.count)
        originals.reserveCapacity(items.count)
        for item in items {
            if let known = view.folded[item.id], known.title == item.title {
                keys.append(known.key)
                originals.append(known.original)
            } else {
                let key = TitleMatch.fold(item.title), original = item.originalTitle.map(TitleMatch.fold) ?? ""
                view.folded[item.id] = (item.title, key, original)
                keys.append(key)
                originals.append(original)
            }
        }
        let words = TitleMatch.words(options.filter)
        let genre = options.genre.map(TitleMatch.fold)
        var order: [Int] = []
        order.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            if options.unwatchedOnly && item.isWatched { continue }
            if let genre, !item.genreNames.contains(where: { TitleMatch.fold($0) == genre }) { continue }
            if !words.isEmpty && !TitleMatch.matches(words, folded: keys[i])
                && !TitleMatch.matches(words, folded: originals[i]) { continue }
            order.append(i)
        }
        // By title is the server's own order (pages arrive in it); any other sort is applied here at
        // once too, so the loaded rows reorder before the reload in that order arrives.
        let sort = options.sort
        if sort != .byTitle { order.sort { sort.orders(items[$0], items[$1], foldedA: keys[$0], foldedB: keys[$1]) } }
        view.order = order
        return view
    }

    /// The genres of a list's loaded items, sorted.
    func genres(_ list: BrowseList) -> [String] {
        let names: [String] = switch list {
        case .movies: catalog.movies.items.flatMap(\.genreNames)
        case .shows: catalog.shows.items.flatMap(\.genreNames)
        }
        return Array(Set(names)).sorted { TitleMatch.fold($0) < TitleMatch.fold($1) }
    }

    /// Changes a list's options, rebuilds its view and, when the order changed, reloads it from the
    /// first page in that order (the loaded rows show in the new order at once).
    /// - Parameter save: save the cache now (not per key typed into the filter: on leaving it).
    mutating func changeOptions(_ list: BrowseList, save: Bool = true, _ change: (inout ListOptions) -> Void) -> [Effect] {
        var o = options(list)
        let before = o
        change(&o)
        guard o != before else { return [] }
        catalog.listOptions[list] = o
        rebuildView(list)
        let id: ListID = list == .movies ? .movies : .shows
        cursors[id] = ListCursor()
        var effects: [Effect] = save ? [.saveCache] : []
        if o.sort != before.sort {
            let kind: LoadKind = list == .movies ? .movies : .shows
            loading.insert(kind)
            effects.append(list == .movies ? .loadMovies(after: nil) : .loadShows(after: nil))
        }
        return effects
    }

    /// The sort and filter keys on Movies and Shows.
    mutating func browse(_ action: Action) -> [Effect]? {
        guard let list = browseList else { return nil }
        switch action {
        case .sort: return changeOptions(list) { $0.cycleSort() }
        case .reverseSort: return changeOptions(list) { $0.sort.descending.toggle() }
        case .unwatchedOnly: return changeOptions(list) { $0.unwatchedOnly.toggle() }
        case .genre:
            let all = genres(list)
            guard !all.isEmpty else {
                message = Message("No genres in the loaded \(list.rawValue).")
                return []
            }
            return changeOptions(list) { o in
                let i = o.genre.flatMap { all.firstIndex(of: $0) }
                o.genre = i.map { $0 + 1 < all.count ? all[$0 + 1] : nil } ?? all.first
            }
        case .filter:
            editingFilter = true
            return []
        default: return nil
        }
    }

    /// Keys while the filter field has the keyboard: typing narrows at once, Enter keeps the filter,
    /// Esc clears it when empty-handed… and leaves the field either way.
    mutating func handleFilter(_ key: Key) -> [Effect] {
        guard let list = browseList else {
            editingFilter = false
            return []
        }
        switch key {
        case .character(let c): return changeOptions(list, save: false) { $0.filter.append(c) } + pageAll(list)
        case .backspace, .delete: return changeOptions(list, save: false) { _ = $0.filter.popLast() }
        case .enter:
            editingFilter = false
            return [.saveCache]
        case .escape:
            editingFilter = false
            return changeOptions(list) { $0.filter = "" }
        case .up: moveSelection(-1)
        case .down: moveSelection(1)
        default: break
        }
        return []
    }

    /// While a list is narrowed, the rest of it loads page after page (a filter over what is
    /// loaded only would miss what is not).
    mutating func pageAll(_ list: BrowseList) -> [Effect] {
        guard options(list).narrows else { return [] }
        switch list {
        case .movies:
            let l = catalog.movies
            guard l.hasMore, let cursor = l.cursor, !loading.contains(.movies) else { return [] }
            loading.insert(.movies)
            return [.loadMovies(after: cursor)]
        case .shows:
            let l = catalog.shows
            guard l.hasMore, let cursor = l.cursor, !loading.contains(.shows) else { return [] }
            loading.insert(.shows)
            return [.loadShows(after: cursor)]
        }
    }

    /// The heading of a sorted list: `Movies (12 of 40) · by year ↓ · unwatched · Drama · "ame"`.
    func browseHeading(_ list: BrowseList) -> String {
        let o = options(list)
        let paged = list == .movies ? (catalog.movies.items.count, catalog.movies.total) : (catalog.shows.items.count, catalog.shows.total)
        let shown = count(list == .movies ? .movies : .shows)
        var text = list == .movies ? "Movies" : "Shows"
        if o.narrows {
            text += " (\(shown) shown of \(paged.1 ?? paged.0))"
        } else if let total = paged.1 {
            text += " (\(paged.0) of \(total))"
        }
        text += " · by \(o.sortLabel)"
        if o.unwatchedOnly { text += " · unwatched" }
        if let g = o.genre { text += " · \(g)" }
        return text
    }
}
