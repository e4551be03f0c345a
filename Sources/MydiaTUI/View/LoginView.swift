import Foundation
import MydiaAPI

/// The URL login screen beside pairing (PROTOCOL.md §14.2): the server's URL, the user, the
/// password as •, the trust field (empty = the system's CAs, a CA file's path, or a SHA-256 pin),
/// the code field once the server asks for a second factor, then the plain-HTTP warning, the
/// login's progress and its refusal (the server's own sentence) wrapped to the screen.
enum LoginView {
    /// Width of the labels column (" Password: ").
    static let labelWidth = 11

    static func draw(_ state: AppState, top: Int, height: Int, into frame: inout Frame) {
        let form = state.loginForm
        let width = max(frame.columns, 1)
        var lines: [Line] = []
        var cursor: (row: Int, column: Int)?
        lines.append(Line([Span(" Log in to a server", .heading)]))
        lines.append(Line([Span(" With its URL, your user name and password — no relay, no claim code.", .dim)]))
        let locked = form.busy || form.needsCode
        for field in form.fields {
            let focused = form.focus == field && !form.busy
            let value: String
            var placeholder: String?
            switch field {
            case .url:
                value = form.url
                placeholder = "https://media.example.org"
            case .user:
                value = form.user
            case .password:
                value = form.password.masked
                if locked { placeholder = "(sent)" }
            case .trust:
                value = form.trust
                placeholder = locked ? nil : "(the system's CAs)"
            case .code:
                value = form.code.masked
            }
            let shown = tail(value, to: max(width - labelWidth - 2, 1))
            let row = lines.count
            var spans = [Span(label(field), .accent)]
            if value.isEmpty, !focused, let placeholder {
                spans += [Span(" "), Span(placeholder, .dim)]
            } else {
                spans.append(Span(" \(shown) ", focused ? .selected : locked && field != .code ? .dim : .normal))
            }
            lines.append(Line(spans))
            if focused { cursor = (row, labelWidth + 1 + DisplayWidth.of(shown)) }
        }
        if form.focus == .trust, !locked {
            lines += wrapped("Empty: the system's CAs. Or the path of a PEM CA file to trust as well, or the certificate's SHA-256 pin (64 hex digits).",
                             .dim, width: width)
        }
        if form.needsCode, !form.busy {
            lines += wrapped("This account needs a second factor: type the 6-digit code from your authenticator app (or a recovery code) and press Enter.",
                             .accent, width: width)
        }
        if let warning = form.warning { lines += wrapped(warning, .warning, width: width) }
        for (text, done) in progressLines(form) { lines += wrapped(text, done ? .success : .accent, width: width) }
        if let error = form.error {
            lines += wrapped("✗ " + error, .error, width: width)
            lines.append(Line([Span(" Fix it and press Enter to try again.", .dim)]))
        }
        for (i, line) in lines.prefix(height).enumerated() { frame.set(top + i, line) }
        if let cursor, cursor.row < height { frame.cursor = (top + cursor.row, min(cursor.column, max(frame.columns - 1, 0))) }
    }

    static func label(_ field: LoginForm.Field) -> String {
        switch field {
        case .url: " URL:      "
        case .user: " User:     "
        case .password: " Password: "
        case .trust: " Trust:    "
        case .code: " Code:     "
        }
    }

    /// The end of `text` when it is wider than `columns` (what is being typed stays in view).
    static func tail(_ text: String, to columns: Int) -> String {
        guard DisplayWidth.of(text) > columns else { return text }
        var out = ""
        var used = 1
        for character in text.reversed() {
            let w = DisplayWidth.of(character)
            if used + w > columns { break }
            used += w
            out.insert(character, at: out.startIndex)
        }
        return "…" + out
    }

    /// `text` wrapped to the screen, indented by one column.
    static func wrapped(_ text: String, _ style: Style, width: Int) -> [Line] {
        DisplayWidth.wrap(text, to: max(width - 2, 1)).map { Line([Span(" " + $0, style)]) }
    }

    /// One line per step reached so far; earlier steps are marked done.
    static func progressLines(_ form: LoginForm) -> [(String, Bool)] {
        guard let progress = form.progress else { return [] }
        let host = (try? LoginURL(form.url))?.host ?? "the server"
        let user = form.user.trimmingCharacters(in: .whitespaces)
        let steps: [String] = ["Contacting \(host)…", "Signing in as \(user)…", "Second factor asked for.", "Checking the code…"]
        let reached: Int
        switch progress {
        case .checkingServer: reached = 0
        case .signingIn: reached = 1
        case .secondFactor: reached = 2
        case .verifyingCode: reached = 3
        case .loggedIn(let name):
            return [("✓ Logged in to \(name) as \(user) — opening the library…", true)]
        }
        return (0...reached).compactMap { i in
            if i == 2 && reached == 2 { return nil }  // the code prompt says it
            return i < reached ? ("✓ " + steps[i].replacingOccurrences(of: "…", with: ""), true) : ("… " + steps[i], false)
        }
    }
}
