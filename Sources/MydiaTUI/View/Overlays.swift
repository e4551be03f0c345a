import Foundation
import MydiaConnection

/// The floating windows: help (generated from the key map, so remapped keys show as they are),
/// the connection view (state, paths, probe results, the transition timeline) and the resume question.
enum Overlays {
    static func draw(_ overlay: Overlay, _ state: AppState, _ layout: Layout, into frame: inout Frame) {
        let top = layout.contentTop
        let height = layout.contentHeight + (layout.infoLine == nil ? 0 : 1)
        guard height > 0 else { return }
        let body: [Line] = switch overlay {
        case .help: help(state, width: state.columns, height: height)
        case .connection: connection(state, width: state.columns)
        case .resume(let request, let position): resume(request, at: position, state)
        case .servers: servers(state, width: state.columns)
        case .playMenu: PlayMenuView.lines(state, width: state.columns)
        }
        for i in 0..<height {
            var line = i < body.count ? body[i] : Line()
            line.fill = .overlay
            if line.spans.isEmpty { line.spans = [Span("", .overlay)] }
            frame.set(top + i, line)
        }
    }

    /// One line per action; in two columns side by side when one does not fit `height` rows.
    static func help(_ state: AppState, width: Int, height: Int = .max) -> [Line] {
        let k = state.keyMap
        let header = Line([Span(" Keys", .heading), Span("  (\(k.firstKey(.back)) or \(k.firstKey(.help)) closes; remap in config.toml [keys])", .overlay)])
        let actions = Action.allCases
        let columns = actions.count + 1 > height && width >= 60 ? 2 : 1
        let columnWidth = width / columns
        let keyWidth = min(actions.map { DisplayWidth.of(k.keys($0)) }.max() ?? 10, max(columnWidth / 2, 8))
        let perColumn = (actions.count + columns - 1) / columns
        var lines = [header]
        for row in 0..<perColumn {
            var spans: [Span] = []
            for column in 0..<columns {
                let index = column * perColumn + row
                guard index < actions.count else { break }
                let action = actions[index]
                let summary = "  " + action.summary
                spans.append(Span("  " + DisplayWidth.fit(k.keys(action), to: keyWidth), .accent))
                spans.append(Span(column + 1 < columns ? DisplayWidth.fit(summary, to: max(columnWidth - keyWidth - 2, 0)) : summary, .overlay))
            }
            lines.append(Line(spans))
        }
        return lines
    }

    /// The resume question (`[player] resume = "ask"`), its answers named by the keys in force.
    static func resume(_ request: PlaybackRequest, at position: Double, _ state: AppState) -> [Line] {
        let k = state.keyMap
        return [
            Line([Span(" Resume?", .heading)]),
            Line([Span("  \(request.title)", .overlay)]),
            Line([Span("  You stopped at \(Format.clock(position)).", .overlay)]),
            Line(),
            Line([Span("  \(k.firstKey(.open))", .accent), Span("  resume at \(Format.clock(position))", .overlay)]),
            Line([Span("  \(k.firstKey(.top))", .accent), Span("  play from the beginning", .overlay)]),
            Line([Span("  \(k.firstKey(.back))", .accent), Span("  cancel", .overlay)]),
        ]
    }

    /// The server switcher: each stored server, its kind and address, and whether it is the one
    /// in use, still warm (left less than a minute ago) or only stored.
    static func servers(_ state: AppState, width: Int) -> [Line] {
        let k = state.keyMap
        var lines = [Line([Span(" Servers", .heading), Span("  (\(k.firstKey(.open)) switches, \(k.firstKey(.back)) closes)", .overlay)])]
        if state.servers.isEmpty { lines.append(Line([Span("  Loading the stored servers…", .overlay)])) }
        for (i, s) in state.servers.enumerated() {
            let stateText = switch s.state {
            case .current: "in use" + (state.connection.map { " · \($0.state.rawValue)" } ?? "")
            case .warm: "warm — switching back is instant"
            case .stored: "stored"
            }
            let kind = s.kind == .paired ? "paired via \(Format.host(s.address))" : "login \(s.address)"
            let text = "\(i == state.serverCursor ? " ▸ " : "   ")\(s.name)  ·  \(kind)  ·  \(stateText)"
            lines.append(Line([Span(DisplayWidth.fit(text, to: max(width, 0)), i == state.serverCursor ? .selected : .overlay)]))
        }
        return lines
    }

    static func connection(_ state: AppState, width: Int) -> [Line] {
        var lines = [Line([Span(" Connection", .heading), Span("  (\(state.keyMap.firstKey(.reprobe)) probes now, \(state.keyMap.firstKey(.back)) closes)", .overlay)])]
        guard let s = state.connection else {
            lines.append(Line([Span("  No connection yet.", .overlay)]))
            return lines
        }
        func stats(_ name: String, _ p: PathStatistics) -> Line {
            let rtt = p.roundTripTime.map(Format.ms) ?? "—"
            return Line([Span("  \(name)", .accent), Span("  \(p.isUp ? "up" : "down") · rtt \(rtt) · ↓ \(Format.bytes(Double(p.bytesReceived))) · ↑ \(Format.bytes(Double(p.bytesSent))) · \(p.inFlight) in flight", .overlay)])
        }
        lines.append(Line([Span("  State ", .accent), Span(s.state.rawValue.uppercased(), .title),
                           Span(" · requests go \(s.activePath.map { $0 == .relay ? "via the relay (end-to-end encrypted)" : "direct" } ?? "nowhere yet")", .overlay)]))
        if s.isDirectOnly || state.loginURL != nil {
            // A URL-login server (PROTOCOL.md §14.2): one direct path, no relay.
            let url = state.loginURL ?? s.directURL?.absoluteString ?? "—"
            let plain = StatusBar.isPlainHTTP(url) ? " · plain HTTP: requests cross the network unencrypted" : ""
            lines.append(Line([Span("  Server", .accent), Span("  \(url)\(plain)", .overlay)]))
            lines.append(Line([Span("  Relay ", .accent), Span("  none — logged in by URL, this server is reached directly only", .overlay)]))
            lines.append(stats("Direct", s.direct))
            if let refusal = s.directRefusal { lines.append(Line([Span("  ✗ \(refusal)", .error)])) }
        } else {
            lines.append(stats("Relay ", s.relay))
            lines.append(stats("Direct", s.direct))
        }
        if let next = s.nextProbeAt { lines.append(Line([Span("  Next probe in \(max(Format.seconds(next - s.takenAt), 0)) s (backoff step \(s.probeBackoffStep))", .overlay)])) }
        lines.append(Line([Span(" Probes", .heading)]))
        if s.candidates.isEmpty { lines.append(Line([Span("  The server announced no direct URL.", .dim)])) }
        for c in s.candidates {
            let result: String
            if let r = c.lastResult {
                if case .ok(let rtt) = r { result = "answers, \(Format.ms(rtt))" } else { result = r.failureDescription ?? "fails" }
            } else {
                result = "not probed yet"
            }
            let when = c.lastProbedAt.map { " (\(Format.seconds(s.takenAt - $0)) s ago)" } ?? ""
            let held = c.heldOffUntil != nil ? " · held off (certificate mismatch)" : ""
            lines.append(Line([Span("  \(c.url.absoluteString)\(c.discovered ? " [LAN]" : "")", .accent), Span("  \(result)\(when)\(held)", .overlay)]))
        }
        lines.append(Line([Span(" Timeline", .heading)]))
        for t in s.transitions.reversed() {
            lines.append(Line([Span("  \(Format.time(t.date))  ", .dim), Span("\(t.from.rawValue) → \(t.to.rawValue)", .title), Span("  \(t.reason)", .overlay)]))
        }
        return lines
    }
}
