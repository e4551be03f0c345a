import Foundation
import MydiaAPI

// `w`: watched / unwatched on a movie, an episode or a season. The UI changes at once; the mark
// waits in `catalog.pendingMarks` (saved with the cache) until the server took it, and is sent
// again with backoff while the server cannot be reached — like progress reports (ProgressReporter).
extension AppState {
    /// Waits before resending after 1, 2, 3, 4+ failures in a row, in seconds.
    static let markRetryDelays: [TimeInterval] = [2, 5, 10, 30]

    /// Toggles the selected row's watched state.
    mutating func toggleWatched() -> [Effect] {
        guard let row = selectedRow else { return [] }
        let mark: WatchMark
        switch row.target {
        case .movie(let m):
            mark = WatchMark(.movie(m.id), watched: !isWatched(.movie(m.id), fallback: m.progress?.watched == true))
        case .episode(let e):
            mark = WatchMark(.episode(e.id), watched: !isWatched(.episode(e.id), fallback: e.progress?.watched == true))
        case .season(let id, let n):
            let list = episodes[SeasonKey(showID: id, season: n)] ?? []
            mark = WatchMark(.season(showID: id, number: n), watched: list.isEmpty || !list.allSatisfy { $0.progress?.watched == true })
        case .continueItem(let c) where c.kind == .movie || c.kind == .episode:
            mark = WatchMark(c.kind == .movie ? .movie(c.id) : .episode(c.id), watched: !(c.progress?.watched ?? false))
        case .searchItem(let hit) where hit.kind == .movie || hit.kind == .episode:
            let target: WatchTarget = hit.kind == .movie ? .movie(hit.id) : .episode(hit.id)
            mark = WatchMark(target, watched: !isWatched(target, fallback: false))
        default:
            message = Message("Only movies, episodes and seasons can be marked watched.")
            return []
        }
        message = Message("\(row.title): marked \(mark.watched ? "watched" : "unwatched").")
        return queue(mark)
    }

    /// What the UI believes now: a loaded movie's or episode's progress, else `fallback`.
    func isWatched(_ target: WatchTarget, fallback: Bool) -> Bool {
        switch target {
        case .movie(let id):
            return catalog.movies.items.first { $0.id == id }?.progress?.watched ?? fallback
        case .episode(let id):
            for list in episodes.values { if let e = list.first(where: { $0.id == id }) { return e.progress?.watched ?? fallback } }
            return fallback
        case .season:
            return fallback
        }
    }

    /// Applies a mark at once and queues it (replacing a waiting mark of the same item).
    mutating func queue(_ mark: WatchMark) -> [Effect] {
        apply(mark)
        catalog.pendingMarks.removeAll { $0.target == mark.target }
        catalog.pendingMarks.append(mark)
        markRetryAt = nil
        return [.saveCache] + sendPendingMarks()
    }

    /// Sends every waiting mark not already on its way, unless a retry is not due yet.
    mutating func sendPendingMarks() -> [Effect] {
        if let at = markRetryAt, at > now { return [] }
        guard serverName != nil else { return [] }
        var effects: [Effect] = []
        for mark in catalog.pendingMarks where !marksInFlight.contains(mark.target) {
            marksInFlight.insert(mark.target)
            effects.append(.sendMark(mark))
        }
        return effects
    }

    /// The server took a mark: it leaves the queue (a newer mark of the same item stays and goes next).
    mutating func markStored(_ mark: WatchMark) -> [Effect] {
        marksInFlight.remove(mark.target)
        markFailures = 0
        markRetryAt = nil
        if let i = catalog.pendingMarks.firstIndex(of: mark) { catalog.pendingMarks.remove(at: i) }
        return [.saveCache] + sendPendingMarks()
    }

    /// A mark did not reach the server. `permanent`: the server refused it (the item is gone), so
    /// it is dropped; otherwise it waits and is sent again after a backoff or when the path is back.
    mutating func markFailed(_ mark: WatchMark, sentence: String, permanent: Bool) -> [Effect] {
        marksInFlight.remove(mark.target)
        if permanent {
            catalog.pendingMarks.removeAll { $0 == mark }
            message = Message(sentence, isError: true)
            return [.saveCache]
        }
        markFailures += 1
        markRetryAt = now.addingTimeInterval(Self.markRetryDelays[min(markFailures, Self.markRetryDelays.count) - 1])
        // Said once; the header keeps counting the queue while the retries go on quietly.
        if markFailures == 1 {
            let n = catalog.pendingMarks.count
            message = Message("Offline: \(n) watched mark\(n == 1 ? "" : "s") queued — sent when the server is back.")
        }
        return []
    }

    /// Marks waiting, for the header.
    public var queuedMarks: Int { catalog.pendingMarks.count }

    /// Re-applies waiting marks over data that just arrived (the server does not know them yet).
    mutating func reapplyPendingMarks() {
        for mark in catalog.pendingMarks { apply(mark) }
    }

    /// Changes the loaded catalog as the mark says: movie and episode progress, a season's
    /// episodes, and the home rails (a watched item leaves Continue watching and Next up).
    mutating func apply(_ mark: WatchMark) {
        switch mark.target {
        case .movie(let id):
            if let i = catalog.movies.items.firstIndex(where: { $0.id == id }) {
                catalog.movies.items[i].progress = Progress.marked(catalog.movies.items[i].progress, watched: mark.watched)
            }
            if mark.watched { catalog.continueWatching.removeAll { $0.id == id } }
        case .episode(let id):
            for (key, list) in episodes {
                guard let i = list.firstIndex(where: { $0.id == id }) else { continue }
                episodes[key]?[i].progress = Progress.marked(list[i].progress, watched: mark.watched)
            }
            if mark.watched {
                catalog.continueWatching.removeAll { $0.id == id }
                catalog.nextUp.removeAll { $0.episode.id == id }
            }
        case .season(let showID, let n):
            let key = SeasonKey(showID: showID, season: n)
            if let list = episodes[key] {
                episodes[key] = list.map { e in
                    var e = e
                    e.progress = Progress.marked(e.progress, watched: mark.watched)
                    return e
                }
            }
            if mark.watched {
                catalog.continueWatching.removeAll { $0.showId == showID && $0.seasonNumber == n }
                catalog.nextUp.removeAll { $0.show.id == showID && $0.episode.seasonNumber == n }
            }
        }
        if options(.movies).unwatchedOnly { rebuildView(.movies) }
    }
}
