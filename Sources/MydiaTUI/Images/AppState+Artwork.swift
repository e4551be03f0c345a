import MydiaAPI

extension AppState {
    /// The poster URL of a row: a movie's or show's own; a season's, an episode's or a
    /// continue-watching episode's from its show, once the show is known.
    public func posterURL(_ target: Row.Target) -> String? {
        let url: String? = switch target {
        case .movie(let m): m.artwork?.posterUrl
        case .show(let s): (showDetails[s.id] ?? s).artwork?.posterUrl
        case .season(let id, _): showDetails[id]?.artwork?.posterUrl
        case .episode(let e): e.showId.flatMap { showDetails[$0]?.artwork?.posterUrl }
        case .continueItem(let c): c.showId.flatMap { showDetails[$0]?.artwork?.posterUrl }
        case .searchItem, .device: nil
        }
        return url.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The poster box of the detail pane at the current size, if posters are drawn there.
    public var detailPosterBox: PosterBox? {
        let layout = self.layout
        guard layout.showsDetail, !screen.isSetup else { return nil }
        return artwork.settings.detailBox(width: columns - layout.listWidth - 3, height: layout.contentHeight - 1)
    }

    /// The fetch the detail pane's poster needs now, marked as loading (a key press only starts
    /// it; the image arrives later as `.artwork`).
    mutating func artworkRequest() -> [Effect] {
        guard let box = detailPosterBox, let row = selectedRow,
              let request = PosterCell.request(url: posterURL(row.target), box: box, artwork: artwork) else { return [] }
        artwork.markLoading(request.url)
        return [.loadArtwork(request)]
    }

    /// A poster fetch ended.
    mutating func applyArtwork(_ url: String, _ outcome: ArtworkOutcome) -> [Effect] {
        artwork.store(url, outcome)
        // A superseded fetch may still be the one on screen (the user came back to it).
        if case .superseded = outcome { return artworkRequest() }
        return []
    }
}
