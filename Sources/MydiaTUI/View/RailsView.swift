import MydiaAPI

/// Home on a wide terminal: three rails (Continue watching, Next up, Recently added), each a
/// heading and a row of cards. A card is a box with the poster slot on top and, below it, the
/// title, a fact line (year, episode) and, for items in progress, a progress bar.
enum RailsView {
    static func draw(_ state: AppState, top: Int, height: Int, width: Int, into frame: inout Frame) {
        let layout = state.layout
        let cardHeight = layout.cardHeight
        var y = top
        for list in AppState.rails {
            guard y < top + height else { return }
            let focused = state.homeFocus == list
            let count = state.count(list)
            let n = count == 0 ? "" : " (\(count))"
            frame.set(y, Renderer.heading(title(list) + n, width: width, active: focused))
            var cursor = state.cursors[list, default: ListCursor()]
            cursor.clamp(count: count, height: layout.cardsPerRail)
            if count == 0 {
                frame.set(y + 1, Line([Span("   " + DisplayWidth.truncate(empty(list), to: max(width - 3, 0)), .dim)]))
            }
            for slot in 0..<layout.cardsPerRail {
                let index = cursor.offset + slot
                guard index < count, let row = state.row(list, index) else { break }
                let card = Card(row, state: state)
                let selected = focused && index == cursor.selected
                card.draw(top: y + 1, left: 1 + slot * (Layout.cardWidth + 1), height: min(cardHeight, top + height - y - 1),
                          selected: selected, marked: !focused && index == cursor.selected, poster: state.railPosterBox,
                          artwork: state.artwork, into: &frame)
            }
            y += cardHeight + 1
        }
    }

    static func title(_ list: ListID) -> String {
        switch list {
        case .continueWatching: "Continue watching"
        case .nextUp: "Next up"
        default: "Recently added"
        }
    }

    static func empty(_ list: ListID) -> String {
        switch list {
        case .continueWatching: "Nothing in progress — start something from Movies or Shows."
        case .nextUp: "No next episodes — finish an episode and the next one shows here."
        default: "Nothing yet."
        }
    }
}

/// One card on a rail.
struct Card {
    /// The title (first line under the poster).
    var title: String
    /// Year, episode code or show.
    var facts: String
    /// Progress 0–100, for items in progress.
    var percent: Double?
    /// Watched.
    var watched: Bool
    /// The poster URL, drawn into `PosterSlot`.
    var posterURL: String?

    init(_ row: Row, state: AppState) {
        title = row.title
        facts = row.detail
        watched = false
        posterURL = state.posterURL(row.target)
        switch row.target {
        case .continueItem(let c):
            title = c.showTitle ?? c.title
            facts = c.showTitle == nil ? "movie" : "\(AppState.episodeCode(c.seasonNumber, c.episodeNumber)) \(c.title)"
            percent = c.progress?.percent
            watched = c.progress?.watched == true
        case .episode(let e):
            title = e.show?.title ?? row.title
            facts = "\(AppState.episodeCode(e.seasonNumber, e.episodeNumber)) \(e.displayTitle)"
            watched = e.progress?.watched == true
        case .searchItem(let hit):
            let recent = state.catalog.recentlyAdded.first { $0.id == hit.id }
            posterURL = recent?.artwork?.posterUrl ?? recent?.artwork?.thumbnailUrl
            facts = [hit.kind == .show ? "show" : "movie", row.detail].filter { !$0.isEmpty }.joined(separator: " · ")
        default:
            break
        }
    }

    /// Draws the card with its top-left corner at (`top`, `left`), `height` rows tall.
    func draw(top: Int, left: Int, height: Int, selected: Bool, marked: Bool, poster: PosterBox? = nil, artwork: ArtworkShelf? = nil,
              into frame: inout Frame) {
        guard height >= 3 else { return }
        let inner = Layout.cardWidth - 2
        let border: Style = selected ? .selected : marked ? .accent : .dim
        var lines: [[Span]] = []
        let textRows = 3
        let posterRows = max(height - 2 - textRows, 0)
        for line in PosterSlot.placeholder(rows: posterRows, width: inner) { lines.append([Span(line, .dim)]) }
        lines.append([Span(DisplayWidth.fit(title, to: inner), selected ? .selected : .title)])
        lines.append([Span(DisplayWidth.fit(facts, to: inner), .dim)])
        if let percent, !watched {
            let label = " \(Int(percent.rounded()))%"
            let bar = DetailPane.progressBar(percent, width: max(inner - DisplayWidth.of(label) - 2, 3))  // plus its brackets
            lines.append([Span(DisplayWidth.fit(bar + label, to: inner), .accent)])
        } else {
            lines.append([Span(DisplayWidth.fit(watched ? "✓ watched" : "", to: inner), .success)])
        }
        frame.put(top, column: left, [Span("┌" + String(repeating: "─", count: inner) + "┐", border)])
        for (i, spans) in lines.suffix(height - 2).enumerated() {
            frame.put(top + 1 + i, column: left, [Span("│", border)] + spans + [Span("│", border)])
        }
        frame.put(top + height - 1, column: left, [Span("└" + String(repeating: "─", count: inner) + "┘", border)])
        // The poster over the slot's blank rows, once decoded (the box the fetch rendered for).
        if let poster, let artwork, posterRows >= poster.rows {
            _ = PosterCell.draw(into: &frame, row: top + 1, column: left + 1, box: poster, url: posterURL, artwork: artwork)
        }
    }
}

/// Where a card's poster goes: blank rows, over which `PosterCell` draws the card's `posterURL`
/// once it is decoded.
enum PosterSlot {
    /// Blank rows of the slot's size.
    static func placeholder(rows: Int, width: Int) -> [String] {
        Array(repeating: String(repeating: " ", count: max(width, 0)), count: max(rows, 0))
    }
}
