/// Where things go on a screen of a given size. The reducer (page keys, scrolling) and the view
/// use the same numbers. Everything degrades down to 20×5: header, content, info line, status bar.
public struct Layout: Sendable, Hashable {
    public var rows: Int
    public var columns: Int

    /// The header row, if there is room for one.
    public var header: Int? { rows >= 3 ? 0 : nil }
    /// The status bar row (always the last).
    public var statusBar: Int? { rows >= 1 ? rows - 1 : nil }
    /// The info line (playback, messages), if there is room.
    public var infoLine: Int? { rows >= 4 ? rows - 2 : nil }
    /// First content row.
    public var contentTop: Int { header == nil ? 0 : 1 }
    /// Content height.
    public var contentHeight: Int { max(0, rows - contentTop - (infoLine == nil ? 0 : 1) - (statusBar == nil ? 0 : 1)) }
    /// Width of the list column (the detail pane takes the rest when the screen is wide).
    public var listWidth: Int { showsDetail ? max(columns * 11 / 20, 30) : columns }
    /// Whether the detail pane is shown.
    public var showsDetail: Bool { columns >= 80 && contentHeight >= 4 }

    /// Whether home shows horizontal rails of cards (wide and tall enough) rather than three lists.
    public var railMode: Bool { columns >= 90 && contentHeight >= 18 }
    /// A card's width on a rail, its border included.
    public static let cardWidth = 24
    /// Cards side by side on a rail.
    public var cardsPerRail: Int { max((columns - 1) / (Self.cardWidth + 1), 1) }
    /// A card's height, its border included: a third of the content less the rail's heading.
    public var cardHeight: Int { min(max(contentHeight / 3 - 1, 5), 14) }

    /// Rows available to a list on `screen` (home splits its height between three lists; on
    /// rails, the "height" is the number of cards in view).
    public func listHeight(_ screen: Screen, list: ListID?) -> Int {
        switch screen {
        case .home:
            if railMode { return cardsPerRail }
            let h = contentHeight
            if h < 9 { return max(h - 1, 1) }
            let each = (h - 3) / 3
            return list == .recentlyAdded ? h - 3 - 2 * each : each
        case .search: return max(contentHeight - 2, 1)
        default: return max(contentHeight - 1, 1)  // one row for the list title
        }
    }
}

extension AppState {
    /// The layout for the current size.
    public var layout: Layout { Layout(rows: rows, columns: columns) }
}
