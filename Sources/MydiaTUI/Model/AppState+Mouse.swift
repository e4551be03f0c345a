// The mouse (`[ui] mouse`, on by default where the terminal reports it): a click selects the row
// or card under it (a second click on the selected one opens it), the wheel scrolls the list or
// rail under it.
extension AppState {
    mutating func handle(_ event: MouseEvent) -> [Effect] {
        guard mouseEnabled, overlay == nil, !screen.isSetup else { return [] }
        switch event {
        case .wheelUp(let row, let column), .wheelDown(let row, let column):
            let step = if case .wheelUp = event { -3 } else { 3 }
            if let (list, _) = hit(row: row, column: column) {
                if screen == .home { homeFocus = list }
                moveSelection(layout.railMode && screen == .home ? step / 3 : step)
            } else {
                moveSelection(step)
            }
            return []
        case .click(let row, let column):
            guard let (list, index) = hit(row: row, column: column) else { return [] }
            if screen == .home { homeFocus = list }
            let cursor = cursors[list, default: ListCursor()]
            if cursor.selected == index { return perform(.open) }
            moveSelection(index - cursor.selected)
            return []
        }
    }

    /// The list and item under a cell, if one is there.
    func hit(row: Int, column: Int) -> (ListID, Int)? {
        let l = layout
        let top = l.contentTop
        switch screen {
        case .home where l.railMode:
            let railHeight = l.cardHeight + 1
            let rail = (row - top) / railHeight
            let inRail = (row - top) % railHeight
            guard row >= top, rail < Self.rails.count, inRail >= 1 else { return nil }
            let list = Self.rails[rail]
            let card = (column - 1) / (Layout.cardWidth + 1)
            let index = cursors[list, default: ListCursor()].offset + card
            return index < count(list) ? (list, index) : nil
        case .home:
            guard l.contentHeight >= 9 else {
                let index = cursors[homeFocus, default: ListCursor()].offset + row - top - 1
                return row > top && index < count(homeFocus) ? (homeFocus, index) : nil
            }
            var y = top
            for list in Self.rails {
                let h = l.listHeight(.home, list: list)
                if row > y && row <= y + h {
                    let index = cursors[list, default: ListCursor()].offset + row - y - 1
                    return index < count(list) ? (list, index) : nil
                }
                y += h + 1
            }
            return nil
        default:
            guard let list = focusedList, column < l.listWidth else { return nil }
            let first = top + (screen == .search ? 2 : 1)
            let index = cursors[list, default: ListCursor()].offset + row - first
            return row >= first && index < count(list) ? (list, index) : nil
        }
    }
}
