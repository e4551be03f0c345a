import MydiaConnection

/// The info line while something plays: title, position, pause and buffering, the path the
/// media bytes take, and the next-episode countdown.
enum PlaybackLine {
    static func spans(_ p: PlaybackUpdate) -> [Span] {
        if let next = p.nextEpisode {
            return [Span(" Next: ", .accent), Span(next.request.title, .title),
                    Span(" in \(next.secondsLeft) s — x cancels", .accent)]
        }
        var spans: [Span] = []
        switch p.phase {
        case .starting: spans.append(Span(" … starting ", .accent))
        case .playing: spans.append(Span(p.paused ? " ⏸ " : " ▶ ", .success))
        case .ended: spans.append(Span(" ■ ended ", .dim))
        case .failed(let why): return [Span(" ✗ \(p.item.title): \(PlayerOutputFailure.explain(why))", .error)]
        }
        spans.append(Span(p.item.title, .title))
        var facts = [Format.clock(p.position) + (p.duration.map { " / " + Format.clock($0) } ?? "")]
        if p.paused { facts.append("paused") }
        if p.buffering { facts.append("buffering") }
        if let path = p.path { facts.append("via \(path == .relay ? "RELAY" : "DIRECT")") }
        spans.append(Span("  " + facts.joined(separator: " · "), .dim))
        return spans
    }
}
