/// The play menu (`p`): the item, then the Audio and Subtitles columns side by side (stacked on a
/// narrow terminal), and for a partly watched item a Start row (resume / from the beginning). The
/// focused column's choice is highlighted; every column's choice is marked with `●`.
enum PlayMenuView {
    static func lines(_ state: AppState, width: Int) -> [Line] {
        let k = state.keyMap
        guard let menu = state.playMenu else { return [] }
        var lines = [
            Line([Span(" Play", .heading), Span("  \(menu.request.title)", .title)]),
            Line([Span("  Tab/Left/Right", .accent), Span(" column  ", .overlay), Span("Up/Down", .accent), Span(" choose  ", .overlay),
                  Span(k.firstKey(.open), .accent), Span(" play  ", .overlay), Span(k.firstKey(.back), .accent), Span(" close", .overlay)]),
            Line(),
        ]
        switch menu.phase {
        case .loading:
            lines.append(Line([Span("  Loading the file's tracks…", .overlay)]))
            return lines
        case .failed(let sentence):
            lines.append(Line([Span("  ✗ " + DisplayWidth.truncate(sentence, to: max(width - 4, 0)), .error)]))
            return lines
        case .ready:
            break
        }
        let audio = column("Audio", menu.audio.map(\.label), selected: menu.audioRow, focused: menu.column == .audio)
        let subtitles = column("Subtitles", menu.subtitles.map(\.label), selected: menu.subtitleRow, focused: menu.column == .subtitles)
        if width >= 70 {
            let half = (width - 2) / 2
            for i in 0..<max(audio.count, subtitles.count) {
                var spans = [Span(" ", .overlay)]
                spans.append(i < audio.count ? Span(DisplayWidth.fit(audio[i].text, to: half), audio[i].style) : Span(String(repeating: " ", count: half), .overlay))
                spans.append(Span(" ", .overlay))
                if i < subtitles.count { spans.append(Span(DisplayWidth.fit(subtitles[i].text, to: half), subtitles[i].style)) }
                lines.append(Line(spans))
            }
        } else {
            for row in audio + [Span("", .overlay)] + subtitles {
                lines.append(Line([Span(" ", .overlay), Span(DisplayWidth.fit(row.text, to: max(width - 1, 0)), row.style)]))
            }
        }
        if let resumeAt = menu.resumeAt {
            // A partly watched item: where it starts, in one row.
            let focused = menu.column == .start
            lines.append(Line())
            var spans = [Span(focused ? " ▸ Start" : "   Start", focused ? .heading : .dim)]
            for (i, label) in ["Resume at \(Format.clock(resumeAt))", "From the beginning"].enumerated() {
                let chosen = i == menu.startRow
                spans.append(Span("   ", .overlay))
                spans.append(Span((chosen ? "● " : "○ ") + label, chosen && focused ? .selected : .overlay))
            }
            lines.append(Line(spans))
        }
        return lines
    }

    /// A column: its heading, then one row per option.
    private static func column(_ title: String, _ labels: [String], selected: Int, focused: Bool) -> [Span] {
        var rows = [Span(focused ? "▸ \(title)" : "  \(title)", focused ? .heading : .dim)]
        for (i, label) in labels.enumerated() {
            let mark = i == selected ? "● " : "○ "
            rows.append(Span("  " + mark + label, i == selected && focused ? .selected : .overlay))
        }
        return rows
    }
}
