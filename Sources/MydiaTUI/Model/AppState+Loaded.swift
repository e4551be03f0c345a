import Foundation
import MydiaAPI
import MydiaConnection

/// What the reducer does with a finished load and a connection snapshot: the catalog updated,
/// cursors kept in range, the throughput sample kept.
extension AppState {
    mutating func apply(_ result: LoadResult) -> [Effect] {
        switch result {
        case .home(let cw, let recent):
            loading.remove(.home)
            catalog.continueWatching = cw
            catalog.recentlyAdded = recent
            reapplyPendingMarks()
            if homeFocus == .continueWatching && catalog.continueWatching.isEmpty && !recent.isEmpty { homeFocus = .recentlyAdded }
            revalidated(.home)
        case .nextUp(let items):
            catalog.nextUp = items
            reapplyPendingMarks()
            clampCursors()
            return []
        case .movies(let page, let replacing):
            loading.remove(.movies)
            catalog.movies.append(page, replacing: replacing)
            reapplyPendingMarks()
            rebuildView(.movies)
            if replacing { revalidated(.movies) }
        case .shows(let page, let replacing):
            loading.remove(.shows)
            catalog.shows.append(page, replacing: replacing)
            rebuildView(.shows)
            if replacing { revalidated(.shows) }
        case .show(let show):
            loading.remove(.show(show.id))
            showDetails[show.id] = show
            clampCursors()
            return []
        case .season(let key, let list):
            loading.remove(.season(key))
            episodes[key] = list
            reapplyPendingMarks()
            clampCursors()
            return []
        case .search(let q, let hits):
            loading.remove(.search)
            serverQuery = q
            serverResults = hits
            if q == query { cursors[.search] = ListCursor() }
            if hits.isEmpty && q == query { message = Message("No matches for \"\(q)\" on the server.") }
            return []
        case .devices(let list):
            loading.remove(.devices)
            devices = list
            clampCursors()
            return []
        case .detail(let id, let files):
            loading.remove(.detail(id))
            itemFiles[id] = files
            return []
        }
        catalog.savedAt = now
        clampCursors()
        return [.saveCache] + pageIfNeeded()
    }

    mutating func revalidated(_ part: CatalogPart) {
        staleParts.remove(part)
        if staleParts.isEmpty { cachedAt = nil }
    }

    mutating func clampCursors() {
        for (list, var cursor) in cursors {
            let screenOfList: Screen = switch list {
            case .continueWatching, .nextUp, .recentlyAdded: .home
            case .movies: .movies
            case .shows: .shows
            case .search: .search
            case .devices: .devices
            case .seasons(let id): .seasons(showID: id)
            case .episodes(let id, let n): .episodes(showID: id, season: n)
            }
            cursor.clamp(count: count(list), height: layout.listHeight(screenOfList, list: list))
            cursors[list] = cursor
        }
    }

    mutating func noteThroughput(_ s: ConnectionSnapshot) {
        let total = s.relay.bytesReceived + s.direct.bytesReceived
        guard let base = throughputBase else {
            throughputBase = (total, s.takenAt)
            return
        }
        let elapsed = s.takenAt - base.at
        guard elapsed >= .milliseconds(900) else { return }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        throughput = Double(max(total - base.bytes, 0)) / seconds
        throughputBase = (total, s.takenAt)
    }
}
