import Foundation
import MydiaAPI

// The detail pane's lookup of the movie or episode it shows: its files' subtitle tracks and streams
// (list queries leave them out), and what Enter needs to start at once (issue 20).
extension AppState {
    /// The detail query for the movie or episode the detail pane shows, on the second's tick: list
    /// queries leave out subtitle tracks (a stock server may probe files for them). It is also what
    /// Enter needs (issue 20, instant start): the runner keeps the item it brings for
    /// ``warmLifetime`` and the start skips that lookup; the request itself warms the relay tunnel.
    /// So it goes once per item, and again when the pane comes back to an item whose last lookup
    /// is older than that (never while the cursor rests: an idle pane sends nothing).
    mutating func detailRequest() -> [Effect] {
        guard layout.showsDetail, !screen.isSetup, let row = selectedRow else {
            paneItem = nil
            return []
        }
        let (kind, id): (MediaKind, String)
        switch row.target {
        case .movie(let m): (kind, id) = (.movie, m.id)
        case .episode(let e): (kind, id) = (.episode, e.id)
        default:
            paneItem = nil
            return []
        }
        let arrived = paneItem != id
        paneItem = id
        let stale = detailAskedAt[id].map { now.timeIntervalSince($0) >= Self.warmLifetime } ?? true
        guard !loading.contains(.detail(id)), itemFiles[id] == nil || (arrived && stale) else { return [] }
        loading.insert(.detail(id))
        detailAskedAt[id] = now
        return [.loadDetail(kind, id: id)]
    }

    /// How long a detail lookup serves Enter (the runner's ``PreparedItems/lifetime``), in seconds.
    static let warmLifetime: TimeInterval = 30
}
