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
        var effects: [Effect] = []
        if railPosterBox == nil, let box = detailPosterBox, let row = selectedRow,
           let request = PosterCell.request(url: posterURL(row.target), box: box, artwork: artwork) {
            artwork.markLoading(request.url)
            effects.append(.loadArtwork(request))
        }
        return effects + railArtworkRequests(limit: Self.railFetchesAtOnce)
    }

    /// Rail posters asked for at once: fewer than the loader keeps waiting (8), so none of them
    /// pushes another out; the rest are asked for as these arrive.
    static let railFetchesAtOnce = 6

    /// The poster box of a home rail's card, when home shows rails with room for a poster.
    var railPosterBox: PosterBox? {
        let layout = self.layout
        guard screen == .home, layout.railMode, artwork.settings.mode != .off else { return nil }
        let rows = layout.cardHeight - 5  // borders and the three text rows
        guard rows >= 2 else { return nil }
        return PosterBox(columns: Layout.cardWidth - 2, rows: rows)
    }

    /// The posters of the cards in view, the focused rail first, at most `limit`, marked loading.
    mutating func railArtworkRequests(limit: Int) -> [Effect] {
        guard let box = railPosterBox else { return [] }
        var effects: [Effect] = []
        let perRail = layout.cardsPerRail
        for list in [homeFocus] + Self.rails.filter({ $0 != homeFocus }) {
            let total = count(list)
            var cursor = cursors[list, default: ListCursor()]
            cursor.clamp(count: total, height: perRail)
            for index in cursor.offset..<max(cursor.offset, min(cursor.offset + perRail, total)) {
                guard effects.count < limit else { return effects }
                guard let row = row(list, index),
                      let request = PosterCell.request(url: Card(row, state: self).posterURL, box: box, artwork: artwork) else { continue }
                artwork.markLoading(request.url)
                effects.append(.loadArtwork(request))
            }
        }
        return effects
    }

    /// A poster fetch ended.
    mutating func applyArtwork(_ url: String, _ outcome: ArtworkOutcome) -> [Effect] {
        artwork.store(url, outcome)
        switch outcome {
        case .superseded:
            // A superseded fetch may still be the one on screen (the user came back to it).
            return artworkRequest()
        case .ready, .failed:
            // Rails: the next posters in view, now that this one is done.
            return railArtworkRequests(limit: 1)
        }
    }
}
