import Foundation

/// Which `GraphicsMode` a terminal gets: the `[ui] images` setting when it names a mode; for
/// `auto`, what `TERM`/`TERM_PROGRAM` say, and when they leave it open, what the terminal
/// answers to a kitty graphics query and DA1 (primary device attributes: 4 = sixel) within a
/// short timeout. Inside tmux or screen (which do not pass pictures through) and on unknown
/// terminals, symbols; with `NO_COLOR`, none.
public enum GraphicsCapability {
    /// What the environment alone says: a mode, or `nil` when only asking the terminal can tell.
    public static func fromEnvironment(_ environment: [String: String]) -> GraphicsMode? {
        if environment["NO_COLOR"] != nil { return .off }
        let term = environment["TERM"]?.lowercased() ?? ""
        let program = environment["TERM_PROGRAM"]?.lowercased() ?? ""
        if term.isEmpty || term == "dumb" || term == "linux" || term == "vt100" { return .off }
        // A multiplexer draws its own screen: escape pictures would land in the wrong place.
        if environment["TMUX"] != nil || term.hasPrefix("screen") || term.hasPrefix("tmux") || environment["STY"] != nil { return .symbols }
        if term.contains("kitty") || environment["KITTY_WINDOW_ID"] != nil || program == "wezterm" || program == "ghostty"
            || term.contains("ghostty") { return .kitty }
        if term.hasPrefix("foot") || term.hasPrefix("mlterm") || term.contains("contour") || term.hasPrefix("yaft") || program == "iterm.app" {
            return .sixel
        }
        if program == "vscode" || program == "apple_terminal" { return .symbols }
        return nil
    }

    /// The bytes that ask: a 1×1 kitty query image (answered only by kitty-protocol terminals),
    /// then DA1, which every terminal answers — its reply ends the wait.
    public static let query: [UInt8] = Array("\u{1B}_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\u{1B}\\\u{1B}[c".utf8)

    /// Reads the terminal's answers to `query`; `nil` while DA1's reply has not arrived whole.
    public static func fromReplies(_ bytes: [UInt8]) -> GraphicsMode? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let da1 = text.range(of: "\u{1B}[?"), let end = text[da1.upperBound...].firstIndex(of: "c") else { return nil }
        if text.contains("\u{1B}_Gi=31;OK") { return .kitty }
        let attributes = text[da1.upperBound..<end].split(separator: ";")
        return attributes.contains("4") ? .sixel : .symbols
    }

    /// The mode for `setting`; `ask` is called only for `auto` when the environment leaves it open,
    /// and returns what the terminal answered to `query` (nothing on timeout).
    public static func resolve(_ setting: ImagesSetting, environment: [String: String], ask: () -> [UInt8]) -> GraphicsMode {
        switch setting {
        case .kitty: return .kitty
        case .sixel: return .sixel
        case .symbols: return .symbols
        case .off: return .off
        case .auto:
            if let mode = fromEnvironment(environment) { return mode }
            return fromReplies(ask()) ?? .symbols
        }
    }

    /// Asks the controlling terminal (`/dev/tty`), see `ask(fd:timeout:)`; empty without one.
    public static func askTerminal(timeout: Duration = .milliseconds(150)) -> [UInt8] {
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        return ask(fd: fd, timeout: timeout)
    }

    /// Asks the terminal on `fd` (a tty, before curses starts): raw mode, the query, replies read
    /// until DA1's arrives or `timeout` passes, the terminal's settings restored. Empty when `fd`
    /// is not a terminal.
    public static func ask(fd: Int32, timeout: Duration = .milliseconds(150)) -> [UInt8] {
        guard isatty(fd) == 1 else { return [] }
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { return [] }
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        guard tcsetattr(fd, TCSANOW, &raw) == 0 else { return [] }
        defer { _ = tcsetattr(fd, TCSANOW, &saved) }
        let written = query.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == query.count else { return [] }
        let deadline = ContinuousClock.now + timeout
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while ContinuousClock.now < deadline, reply.count < 4096 {
            let left = deadline - ContinuousClock.now
            let ms = Int32(max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, ms) > 0 else { break }
            let n = read(fd, &buffer, buffer.count)
            guard n > 0 else { break }
            reply += buffer[0..<n]
            if fromReplies(reply) != nil { break }
        }
        return reply
    }
}
