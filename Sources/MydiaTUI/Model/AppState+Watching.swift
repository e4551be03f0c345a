import MydiaAPI

extension AppState {
    /// `a` / `s`: the next audio or subtitle track of what plays; nothing when idle.
    mutating func cycleTrack(_ kind: TrackKind) -> [Effect] {
        guard playback != nil else {
            message = Message("Nothing is playing — tracks switch while an item plays.")
            return []
        }
        return [.cycleTrack(kind)]
    }

    /// `d`: downloads the selected movie or episode for offline play (issue 20).
    mutating func downloadSelected() -> [Effect] {
        guard let row = selectedRow else { return [] }
        switch row.target {
        case .movie(let m):
            return [.download(id: m.id, title: m.title)]
        case .episode(let e):
            return [.download(id: e.id, title: row.title)]
        case .continueItem(let c) where c.kind == .movie || c.kind == .episode:
            return [.download(id: c.id, title: row.title)]
        case .searchItem(let hit) where hit.kind == .movie || hit.kind == .episode:
            return [.download(id: hit.id, title: row.title)]
        default:
            message = Message("Only movies and episodes can be downloaded.")
            return []
        }
    }
}
