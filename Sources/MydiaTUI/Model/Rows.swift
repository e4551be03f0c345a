import Foundation
public import MydiaAPI

/// One list row as shown: a title on the left, a short detail on the right, and what Enter opens.
public struct Row: Sendable, Hashable {
    /// What the row stands for.
    public enum Target: Sendable, Hashable {
        case movie(Movie)
        case show(TvShow)
        case season(showID: String, number: Int)
        case episode(Episode)
        case continueItem(ContinueItem)
        case searchItem(SearchHit)
        case device(Device)
    }

    public var title: String
    public var detail: String
    public var target: Target
}

extension AppState {
    /// The list on screen (home: the focused one).
    public var focusedList: ListID? {
        switch screen {
        case .pairing, .login: nil
        case .home: homeFocus
        case .movies: .movies
        case .shows: .shows
        case .seasons(let id): .seasons(id)
        case .episodes(let id, let n): .episodes(id, n)
        case .search: .search
        case .devices: .devices
        }
    }

    /// Rows in a list. Cheap: counts come straight from the arrays (lists are virtualised).
    public func count(_ list: ListID) -> Int {
        switch list {
        case .continueWatching: catalog.continueWatching.count
        case .nextUp: catalog.nextUp.count
        case .recentlyAdded: catalog.recentlyAdded.count
        case .movies: views[.movies]?.order.count ?? catalog.movies.items.count
        case .shows: views[.shows]?.order.count ?? catalog.shows.items.count
        case .search: searchResults.count
        case .devices: devices?.count ?? 0
        case .seasons(let id): showDetails[id]?.seasons.count ?? 0
        case .episodes(let id, let n): episodes[SeasonKey(showID: id, season: n)]?.count ?? 0
        }
    }

    /// One row, built on demand for the visible window only.
    public func row(_ list: ListID, _ index: Int) -> Row? {
        guard index >= 0, index < count(list) else { return nil }
        switch list {
        case .continueWatching:
            let c = catalog.continueWatching[index]
            let title = c.showTitle.map { show in "\(show) · \(Self.episodeCode(c.seasonNumber, c.episodeNumber)) \(c.title)" } ?? c.title
            return Row(title: title, detail: c.progress.map { "\(Int($0.percent.rounded()))%" } ?? "", target: .continueItem(c))
        case .nextUp:
            let n = catalog.nextUp[index]
            let e = n.episode
            return Row(title: "\(n.show.title) · \(Self.episodeCode(e.seasonNumber, e.episodeNumber)) \(e.displayTitle)", detail: "next",
                       target: .episode(e))
        case .recentlyAdded:
            let s = catalog.recentlyAdded[index]
            let latest = s.latestSeasonNumber.map { _ in Self.episodeCode(s.latestSeasonNumber, s.latestEpisodeNumber) }
            return Row(title: s.title, detail: [latest, s.year.map(String.init)].compactMap { $0 }.first ?? "", target: .searchItem(SearchHit(s)))
        case .movies:
            let m = catalog.movies.items[views[.movies]?.order[index] ?? index]
            let watched = m.progress?.watched == true ? "✓ " : ""
            return Row(title: m.title, detail: watched + (m.year.map(String.init) ?? ""), target: .movie(m))
        case .shows:
            let s = catalog.shows.items[views[.shows]?.order[index] ?? index]
            return Row(title: s.title, detail: s.seasonCount.map { "\($0) season\($0 == 1 ? "" : "s")" } ?? "", target: .show(s))
        case .search:
            let s = searchResults[index]
            let year = s.year.map { " \($0)" } ?? ""
            return Row(title: s.title, detail: (s.subtitle ?? s.kind.rawValue) + year, target: .searchItem(s))
        case .devices:
            let d = devices![index]
            let flags = [d.id == currentDeviceID ? "this device" : nil, d.isRevoked ? "revoked" : nil].compactMap { $0 }.joined(separator: ", ")
            let seen = d.online == true ? "online" : d.lastSeenAt.map { "seen \($0.prefix(10))" } ?? "never seen"
            return Row(title: "\(d.deviceName) [\(d.platform)]", detail: flags.isEmpty ? seen : flags, target: .device(d))
        case .seasons(let id):
            let s = showDetails[id]!.seasons[index]
            return Row(title: "Season \(s.seasonNumber)", detail: "\(s.episodeCount) episode\(s.episodeCount == 1 ? "" : "s")",
                       target: .season(showID: id, number: s.seasonNumber))
        case .episodes(let id, let n):
            let e = episodes[SeasonKey(showID: id, season: n)]![index]
            let watched = e.progress?.watched == true ? "✓ " : (e.progress.map { "\(Int($0.percent.rounded()))% " } ?? "")
            return Row(title: "\(Self.episodeCode(e.seasonNumber, e.episodeNumber))  \(e.displayTitle)", detail: watched + (e.airDate ?? ""), target: .episode(e))
        }
    }

    /// The selected row of the focused list.
    public var selectedRow: Row? {
        guard let list = focusedList else { return nil }
        return row(list, cursors[list, default: ListCursor()].selected)
    }

    /// `S01E02`.
    static func episodeCode(_ season: Int?, _ episode: Int?) -> String {
        String(format: "S%02dE%02d", season ?? 0, episode ?? 0)
    }

    /// What the search list shows: the server's answer for the current query, else the instant
    /// local filter over what is loaded.
    public var searchResults: [SearchHit] {
        if let serverResults, serverQuery == query { return serverResults }
        return localMatches
    }

    /// Loaded movies and shows whose title contains the query (case- and accent-insensitive).
    public var localMatches: [SearchHit] {
        let q = query.trimmingCharacters(in: .whitespaces)
        guard !q.isEmpty else { return [] }
        let options: String.CompareOptions = [.caseInsensitive, .diacriticInsensitive]
        var out: [SearchHit] = []
        for m in catalog.movies.items where m.title.range(of: q, options: options) != nil {
            out.append(SearchHit(id: m.id, kind: .movie, title: m.title, year: m.year))
        }
        for s in catalog.shows.items where s.title.range(of: q, options: options) != nil {
            out.append(SearchHit(id: s.id, kind: .show, title: s.title, year: s.year))
        }
        return out
    }
}

/// A search result or recently added item, from the server or the local filter.
public struct SearchHit: Sendable, Hashable {
    public var id: String
    public var kind: MediaKind
    public var title: String
    public var year: Int?
    public var subtitle: String?
    /// For episodes: the show, season and number.
    public var showID: String?
    public var seasonNumber: Int?
    public var episodeNumber: Int?

    /// A hit.
    public init(id: String, kind: MediaKind, title: String, year: Int? = nil, subtitle: String? = nil,
                showID: String? = nil, seasonNumber: Int? = nil, episodeNumber: Int? = nil) {
        self.id = id
        self.kind = kind
        self.title = title
        self.year = year
        self.subtitle = subtitle
        self.showID = showID
        self.seasonNumber = seasonNumber
        self.episodeNumber = episodeNumber
    }

    /// A server item (an unknown kind reads as a movie-like item; the server only sends the three).
    public init(_ item: SearchItem) {
        self.init(id: item.id, kind: item.kind ?? .movie, title: item.title, year: item.year, subtitle: item.subtitle,
                  showID: item.parentId, seasonNumber: item.seasonNumber, episodeNumber: item.episodeNumber)
    }

    /// A recently added movie or show.
    public init(_ item: RecentlyAddedItem) {
        self.init(id: item.id, kind: item.kind ?? .movie, title: item.title, year: item.year)
    }
}
