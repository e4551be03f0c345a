/// The first-run screen: the claim code (normalised as typed), the relay, and the progress of a
/// pairing — looking up, connecting via the relay, securing, the pairing check (PROTOCOL.md
/// §12.6: compare it with the server's screen), paired — or the error and how to retry.
enum PairingView {
    static func draw(_ state: AppState, top: Int, height: Int, into frame: inout Frame) {
        let form = state.pairing
        var lines: [Line] = []
        lines.append(Line([Span(" Pair with your server", .heading)]))
        lines.append(Line([Span(" Type the code the server shows (e.g. 123 456).", .dim)]))
        let codeStyle: Style = form.focus == .code ? .selected : .normal
        let relayStyle: Style = form.focus == .relay ? .selected : .normal
        let codeRow = lines.count
        lines.append(Line([Span(" Code:  ", .accent), Span(" \(form.displayCode.isEmpty ? "___ ___" : form.displayCode) ", codeStyle)]))
        let relayRow = lines.count
        lines.append(Line([Span(" Relay: ", .accent), Span(" \(form.relay) ", relayStyle)]))
        if form.progress == nil {
            lines.append(Line([Span(" No relay? Ctrl-L logs in to a server with its URL, your user name and password.", .dim)]))
        }
        let steps: [(String, Bool)] = progressLines(form)
        for (text, done) in steps { lines.append(Line([Span(" " + text, done ? .success : .accent)])) }
        if let check = form.check, !isPaired(form) {
            lines.append(Line([Span(" Pairing check: ", .title), Span("\(check.prefix(3)) \(check.suffix(3))", .warning),
                               Span(" — it must match the server's screen.", .normal)]))
        }
        if let error = form.error {
            // Long refusals wrap: the whole sentence matters (what to do is at its end).
            let width = max(frame.columns - 4, 10)
            for (i, part) in DisplayWidth.wrap(error, to: width).enumerated() {
                lines.append(Line([Span((i == 0 ? " ✗ " : "   ") + part, .error)]))
            }
            let hint = form.startsOver ? "Type a new code or fix the relay, and press Enter to try again."
                : "Fix the code or relay and press Enter to try again."
            for part in DisplayWidth.wrap(hint, to: max(frame.columns - 2, 10)) { lines.append(Line([Span(" " + part, .dim)])) }
        }
        for (i, line) in lines.prefix(height).enumerated() { frame.set(top + i, line) }
        if !form.busy {
            let row = form.focus == .code ? codeRow : relayRow
            let text = form.focus == .code ? form.displayCode : form.relay
            if row < height { frame.cursor = (top + row, min(9 + DisplayWidth.of(text), max(frame.columns - 1, 0))) }
        }
    }

    static func isPaired(_ form: PairingForm) -> Bool {
        if case .paired = form.progress { return true }
        return false
    }

    /// One line per step reached so far; earlier steps are marked done.
    static func progressLines(_ form: PairingForm) -> [(String, Bool)] {
        guard let progress = form.progress else { return [] }
        let order: Int = switch progress {
        case .lookingUp: 0
        case .connecting: 1
        case .securing: 2
        case .check: 3
        case .paired: 4
        }
        var server = form.server ?? "the server"
        if case .paired(let name) = progress { server = name }
        let steps = ["Looking up the code…", "Connecting via the relay to \(server)…", "Securing the connection…",
                     "Waiting for the server to accept this device…", "Paired with \(server)."]
        return (0...order).map { i in (i < order ? "✓ " + steps[i] : (i == 4 ? "✓ " : "… ") + steps[i], i < order || i == 4) }
    }
}
