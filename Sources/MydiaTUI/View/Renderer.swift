import Foundation
import MydiaAPI

/// Renders the app state into a frame: header, the screen's content (with the detail pane on
/// wide terminals), the info line and the status bar, then any overlay. Pure: no terminal here.
public enum Renderer {
    /// The whole screen.
    public static func frame(_ state: AppState) -> Frame {
        var frame = Frame(rows: state.rows, columns: state.columns)
        let layout = state.layout
        guard state.rows > 0, state.columns > 0 else { return frame }
        if let row = layout.header { frame.set(row, header(state)) }
        content(state, layout, into: &frame)
        if let row = layout.infoLine { frame.set(row, infoLine(state)) }
        if let row = layout.statusBar { frame.set(row, StatusBar.line(state, width: state.columns)) }
        if let overlay = state.overlay {
            frame.pictures = []  // a window over the pane hides its poster
            Overlays.draw(overlay, state, layout, into: &frame)
        }
        return frame
    }

    /// " mydia · server", the tabs (as many as fit), and on the right "cached · N min ago" /
    /// "loading…" — the marker wins over the tabs when the screen is narrow.
    static func header(_ state: AppState) -> Line {
        var spans = [Span(" mydia", .title)]
        if let name = state.serverName { spans.append(Span(" · \(name)", .dim)) }
        var right = ""
        if let cachedAt = state.cachedAt { right = "cached · \(Format.ago(cachedAt, now: state.now))" }
        if state.queuedMarks > 0 { right += (right.isEmpty ? "" : " · ") + "\(state.queuedMarks) mark\(state.queuedMarks == 1 ? "" : "s") queued" }
        if !state.loading.isEmpty { right += right.isEmpty ? "loading…" : " · loading…" }
        let rightWidth = right.isEmpty ? 0 : DisplayWidth.of(right) + 2
        var used = spans.reduce(0) { $0 + DisplayWidth.of($1.text) }
        let tabs: [(Screen, Action, String)] = [(.home, .home, "Home"), (.movies, .movies, "Movies"), (.shows, .shows, "Shows"),
                                               (.search, .search, "Search"), (.devices, .devices, "Devices")]
        if !state.screen.isSetup {
            spans.append(Span(" "))
            used += 1
            for (screen, action, name) in tabs {
                let text = " \(state.keyMap.firstKey(action)) \(name) "
                let w = DisplayWidth.of(text)
                guard used + w + rightWidth <= state.columns else { break }
                spans.append(Span(text, state.screen.tab == screen ? .selected : .dim))
                used += w
            }
        }
        if !right.isEmpty {
            let room = state.columns - used - 1
            spans.append(Span(DisplayWidth.rightAligned(right, in: max(room, 0)) + " ", .warning))
        }
        return Line(spans)
    }

    static func infoLine(_ state: AppState) -> Line {
        if let message = state.message {
            return Line([Span(" " + message.text, message.isError ? .error : .accent)])
        }
        if let p = state.playback { return Line(PlaybackLine.spans(p)) }
        let k = state.keyMap
        let hints: String = switch state.screen {
        case .pairing: " Tab switch field · Enter pair · Ctrl-L log in with a URL instead · Esc quit"
        case .login where state.loginForm.needsCode: " Enter send the code · Esc give the login up"
        case .login: " Tab next field · Enter log in · Ctrl-P pair with a code instead · Esc quit"
        default:
            " \(k.firstKey(.help)) help · \(k.firstKey(.search)) search · \(k.firstKey(.open)) open · \(k.firstKey(.connection)) connection · \(k.firstKey(.quit)) quit"
        }
        return Line([Span(hints, .dim)])
    }

    static func content(_ state: AppState, _ layout: Layout, into frame: inout Frame) {
        let top = layout.contentTop
        let height = layout.contentHeight
        guard height > 0 else { return }
        switch state.screen {
        case .pairing:
            PairingView.draw(state, top: top, height: height, into: &frame)
            return
        case .login:
            LoginView.draw(state, top: top, height: height, into: &frame)
            return
        case .home where layout.railMode:
            // The rails take the whole width (the cards show what the detail pane would).
            RailsView.draw(state, top: top, height: height, width: state.columns, into: &frame)
            return
        case .home:
            let listWidth = layout.listWidth
            if height < 9 {
                let focus = state.homeFocus
                frame.set(top, heading(RailsView.title(focus), width: listWidth))
                list(state, focus, top: top + 1, height: height - 1, width: listWidth, focused: true, into: &frame,
                     empty: "Nothing here yet.")
            } else {
                var y = top
                for rail in AppState.rails {
                    let h = layout.listHeight(.home, list: rail)
                    frame.set(y, heading(RailsView.title(rail), width: listWidth, active: state.homeFocus == rail))
                    list(state, rail, top: y + 1, height: h, width: listWidth, focused: state.homeFocus == rail,
                         into: &frame, empty: RailsView.empty(rail))
                    y += h + 1
                }
            }
        case .movies, .shows:
            let browse: BrowseList = state.screen == .movies ? .movies : .shows
            let id: ListID = browse == .movies ? .movies : .shows
            frame.set(top, browseHeading(state, browse, width: layout.listWidth, into: &frame, row: top))
            let kind: LoadKind = browse == .movies ? .movies : .shows
            let none = state.options(browse).narrows ? "Nothing matches — f edits the filter, u and F change the rest."
                : browse == .movies ? "No movies." : "No shows."
            list(state, id, top: top + 1, height: height - 1, width: layout.listWidth, focused: true, into: &frame,
                 empty: state.loading.contains(kind) && state.count(id) == 0 ? "Loading…" : none)
        case .seasons(let id):
            frame.set(top, heading(state.showDetails[id]?.title ?? "Show", width: layout.listWidth))
            list(state, .seasons(id), top: top + 1, height: height - 1, width: layout.listWidth, focused: true, into: &frame,
                 empty: state.loading.contains(.show(id)) ? "Loading…" : "No seasons.")
        case .episodes(let id, let n):
            let show = state.showDetails[id]?.title ?? "Show"
            frame.set(top, heading("\(show) · Season \(n)", width: layout.listWidth))
            list(state, .episodes(id, n), top: top + 1, height: height - 1, width: layout.listWidth, focused: true, into: &frame,
                 empty: state.loading.contains(.season(SeasonKey(showID: id, season: n))) ? "Loading…" : "No episodes.")
        case .search:
            let cursorMark = state.editingQuery ? "▏" : ""
            frame.set(top, Line([Span(" Search: ", .heading), Span(state.query + cursorMark, .title)]))
            if state.editingQuery {
                frame.cursor = (top, min(9 + DisplayWidth.of(state.query), state.columns - 1))
            }
            if height > 1 {
                let fromServer = state.serverResults != nil && state.serverQuery == state.query
                let n = state.searchResults.count
                let label = state.query.isEmpty ? "Type to filter what is loaded; Enter searches the whole library."
                    : fromServer ? "\(n) result\(n == 1 ? "" : "s") from the server"
                    : "\(n) loaded match\(n == 1 ? "" : "es") — Enter searches the whole library"
                frame.set(top + 1, Line([Span(" " + label, .dim)]))
                list(state, .search, top: top + 2, height: height - 2, width: layout.listWidth, focused: !state.editingQuery || n > 0,
                     into: &frame, empty: "")
            }
        case .devices:
            let server = [state.serverName, state.loginURL ?? state.relayOrigin.map { "relay \($0)" }].compactMap { $0 }.joined(separator: " · ")
            frame.set(top, heading("Server: \(server.isEmpty ? "—" : server)", width: layout.listWidth))
            list(state, .devices, top: top + 1, height: height - 1, width: layout.listWidth, focused: true, into: &frame,
                 empty: state.loading.contains(.devices) ? "Loading…" : "No devices.")
        }
        if layout.showsDetail, !state.screen.isSetup {
            DetailPane.draw(state, left: layout.listWidth, top: top, height: height, width: state.columns - layout.listWidth, into: &frame)
        }
    }

    /// A sortable list's heading, with the filter field while it is edited (the cursor sits in it).
    static func browseHeading(_ state: AppState, _ list: BrowseList, width: Int, into frame: inout Frame, row: Int) -> Line {
        let o = state.options(list)
        let text = state.browseHeading(list)
        guard state.editingFilter || !o.filter.isEmpty else { return heading(text, width: width) }
        let field = " filter: " + o.filter + (state.editingFilter ? "▏" : "")
        let room = max(width - DisplayWidth.of(field) - 1, 0)
        let head = " " + DisplayWidth.truncate(text, to: room)
        if state.editingFilter {
            frame.cursor = (row, min(DisplayWidth.of(head) + 9 + DisplayWidth.of(o.filter), max(state.columns - 1, 0)))
        }
        return Line([Span(head, .heading), Span(field, .title)])
    }

    static func heading(_ text: String, width: Int, active: Bool = true) -> Line {
        Line([Span(" " + DisplayWidth.truncate(text, to: max(width - 1, 0)), active ? .heading : .dim)])
    }

    /// A virtualised list: only rows `offset ..< offset + height` are built.
    static func list(_ state: AppState, _ id: ListID, top: Int, height: Int, width: Int, focused: Bool,
                     into frame: inout Frame, empty: String) {
        guard height > 0 else { return }
        let count = state.count(id)
        if count == 0 {
            if !empty.isEmpty { frame.set(top, Line([Span("   " + DisplayWidth.truncate(empty, to: max(width - 3, 0)), .dim)])) }
            return
        }
        var cursor = state.cursors[id, default: ListCursor()]
        cursor.clamp(count: count, height: height)
        for i in 0..<height {
            let index = cursor.offset + i
            guard let row = state.row(id, index) else { break }
            let selected = focused && index == cursor.selected
            frame.set(top + i, listLine(row, width: width, selected: selected, marked: !focused && index == cursor.selected))
        }
    }

    static func listLine(_ row: Row, width: Int, selected: Bool, marked: Bool) -> Line {
        let detail = DisplayWidth.truncate(row.detail, to: max(width / 3, 0))
        let dw = DisplayWidth.of(detail)
        let titleWidth = max(width - 3 - dw - (dw > 0 ? 2 : 0), 0)
        let title = DisplayWidth.fit(row.title, to: titleWidth)
        let prefix = selected ? " ▸ " : marked ? " · " : "   "
        var text = prefix + title
        if dw > 0 { text += "  " + detail }
        text = DisplayWidth.fit(text, to: width)
        if selected { return Line([Span(text, .selected)]) }
        return Line([Span(prefix + title, .normal), Span(dw > 0 ? "  " + detail : "", .dim)])
    }
}
