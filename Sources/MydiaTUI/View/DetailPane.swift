import MydiaAPI

/// The right-hand pane on wide terminals: what the selected row is — its poster (when the
/// terminal draws pictures and the item has one), overview, runtime, progress and files.
enum DetailPane {
    static func draw(_ state: AppState, left: Int, top: Int, height: Int, width: Int, into frame: inout Frame) {
        guard width > 4, let row = state.selectedRow else { return }
        let inner = width - 3
        var lines: [[Span]] = [[Span(DisplayWidth.truncate(row.title, to: inner), .title)]]
        var facts: [String] = []
        var overview: String?
        var progress: MydiaAPI.Progress?
        var files: [MediaFile] = []
        switch row.target {
        case .movie(let m):
            facts = [m.year.map(String.init), m.runtime.map { "\($0) min" }, m.genreNames.isEmpty ? nil : m.genreNames.joined(separator: ", ")].compactMap { $0 }
            overview = m.overview
            progress = m.progress
            files = state.itemFiles[m.id] ?? m.files
        case .episode(let e):
            facts = [AppState.episodeCode(e.seasonNumber, e.episodeNumber), e.airDate, e.runtime.map { "\($0) min" }].compactMap { $0 }
            overview = e.overview
            progress = e.progress
            files = state.itemFiles[e.id] ?? e.files
        case .show(let s):
            let show = state.showDetails[s.id] ?? s
            let counts = [show.seasonCount.map { "\($0) seasons" }, show.episodeCount.map { "\($0) episodes" }].compactMap { $0 }
            facts = [show.year.map(String.init), counts.isEmpty ? nil : counts.joined(separator: ", "), show.status].compactMap { $0 }
            overview = show.overview
            if let next = show.nextEpisode { facts.append("next: \(AppState.episodeCode(next.seasonNumber, next.episodeNumber)) \(next.displayTitle)") }
        case .season(let id, let n):
            facts = [state.showDetails[id]?.title, "Season \(n)"].compactMap { $0 }
        case .continueItem(let c):
            facts = [c.showTitle, c.kind?.rawValue].compactMap { $0 }
            progress = c.progress
            files = c.files
        case .searchItem(let hit):
            facts = [hit.kind.rawValue, hit.year.map(String.init), hit.subtitle].compactMap { $0 }
        case .device(let d):
            facts = ["platform \(d.platform)", "paired \(d.createdAt.prefix(10))", "last seen \(d.lastSeenAt.map { String($0.prefix(16)) } ?? "never")",
                     d.id == state.currentDeviceID ? "this device" : nil, d.isRevoked ? "revoked" : nil].compactMap { $0 }
        }
        // The poster under the title. Its box is kept blank while the image loads (a 2:3 poster
        // fills it, so the text below does not jump when it arrives); once drawn, only its own
        // rows are kept; with no poster, or a failed one, the text moves up.
        let posterURL = state.posterURL(row.target)
        if let box = state.detailPosterBox, let posterURL, height > box.rows + 1 {
            if case .failed = state.artwork[posterURL] {} else {
                let drawn = PosterCell.draw(into: &frame, row: top + lines.count, column: left + 3, box: box, url: posterURL, artwork: state.artwork)
                lines += Array(repeating: [], count: drawn?.rows ?? box.rows)
            }
        }
        if !facts.isEmpty { for l in DisplayWidth.wrap(facts.joined(separator: " · "), to: inner) { lines.append([Span(l, .dim)]) } }
        if let p = progress {
            let bar = progressBar(p.percent, width: min(inner - 12, 20))
            let total = p.durationSeconds.map { " / " + Format.clock(Double($0)) } ?? ""
            lines.append([Span(bar, .accent), Span(p.watched ? " watched" : " \(Format.clock(Double(p.positionSeconds)))\(total)", .dim)])
        }
        if let overview, !overview.isEmpty {
            lines.append([])
            for l in DisplayWidth.wrap(overview, to: inner) { lines.append([Span(l)]) }
        }
        if !files.isEmpty {
            lines.append([])
            lines.append([Span("Files", .heading)])
            for f in files {
                let text = [f.resolution, [f.codec, f.audioCodec].compactMap { $0 }.joined(separator: "/"), f.container,
                            f.size.map(Format.bytes), f.duration.map(Format.clock)]
                    .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " · ")
                lines.append([Span(DisplayWidth.truncate(text, to: inner), .dim)])
                for track in f.subtitles {
                    lines.append([Span(DisplayWidth.truncate("  subtitles: " + track.summary, to: inner), .dim)])
                }
            }
        }
        for (i, spans) in lines.prefix(height).enumerated() {
            frame.put(top + i, column: left, [Span(" │ ", .dim)] + spans)
        }
        if lines.count < height {
            for i in lines.count..<height { frame.put(top + i, column: left, [Span(" │", .dim)]) }
        }
    }

    static func progressBar(_ percentage: Double, width: Int) -> String {
        guard width > 2 else { return "" }
        let filled = Int((min(max(percentage, 0), 100) / 100 * Double(width)).rounded())
        return "[" + String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled) + "]"
    }
}
