import CNcurses
import Foundation

/// The thin curses layer: opens a screen on a terminal, draws `Frame`s, reads keys. Not thread
/// safe by design — exactly one thread may use an instance (`Terminal` owns that thread; the
/// benchmark uses its own single thread).
public final class CursesScreen {
    /// Why the terminal cannot be used.
    public enum Error: Swift.Error, CustomStringConvertible {
        case notATerminal
        case cannotStart(term: String)

        public var description: String {
            switch self {
            case .notATerminal: "mydia-tui needs a terminal — run it in one, or use a subcommand such as `mydia-tui ls movies`."
            case .cannotStart(let term): "The terminal type \"\(term)\" is not known to curses — set TERM to e.g. xterm-256color."
            }
        }
    }

    private let screen: OpaquePointer
    private var inFile: UnsafeMutablePointer<FILE>?
    private var outFile: UnsafeMutablePointer<FILE>?
    private var attributes: [Style: attr_t] = [:]
    private var fillAttributes: [Style: attr_t] = [:]
    private var ended = false
    private let painter = ImagePainter()
    /// The colour level in use.
    public let colorLevel: ColorLevel

    /// Starts curses on `input`/`output` (dup'ed, so the caller's descriptors stay open) with
    /// `theme`; `NO_COLOR` in `environment` turns colour off.
    public init(input: Int32 = 0, output: Int32 = 1, theme: Theme,
                environment: [String: String], mouse: Bool = false) throws {
        guard isatty(input) == 1, isatty(output) == 1 else { throw Error.notATerminal }
        Self.ensureUTF8Locale()
        let term = environment["TERM"].flatMap { $0.isEmpty ? nil : $0 } ?? "xterm"
        var inFile: UnsafeMutablePointer<FILE>?
        var outFile: UnsafeMutablePointer<FILE>?
        guard let screen = term.withCString({ mydia_newterm_fd($0, dup(input), dup(output), &inFile, &outFile) }) else {
            throw Error.cannotStart(term: term)
        }
        self.screen = screen
        self.inFile = inFile
        self.outFile = outFile
        _ = set_term(screen)
        _ = cbreak()
        _ = noecho()
        _ = nonl()
        let std = mydia_stdscr()
        _ = keypad(std, true)
        _ = nodelay(std, true)
        _ = set_escdelay(25)
        _ = curs_set(0)
        if mouse { mydia_enable_mouse() }
        let level = ColorLevel.detect(hasColors: has_colors(), colors: 0, environment: environment)
        if level != .mono {
            _ = start_color()
            _ = use_default_colors()
            colorLevel = ColorLevel.detect(hasColors: true, colors: Int(mydia_colors()), environment: environment)
        } else {
            colorLevel = .mono
        }
        setUpStyles(theme)
    }

    deinit { end() }

    /// Restores the terminal. Safe to call twice.
    public func end() {
        guard !ended else { return }
        ended = true
        _ = curs_set(1)
        mydia_endterm(screen, inFile, outFile)
        inFile = nil
        outFile = nil
    }

    /// Current size (rows, columns).
    public var size: (rows: Int, columns: Int) {
        var y: Int32 = 0, x: Int32 = 0
        mydia_getmaxyx(mydia_stdscr(), &y, &x)
        return (Int(y), Int(x))
    }

    /// titles need a UTF-8 character type: the user's locale if it is UTF-8, else C.UTF-8.
    static func ensureUTF8Locale() {
        setlocale(LC_ALL, "")
        let codeset = String(cString: nl_langinfo(nl_item(CODESET))).uppercased().replacingOccurrences(of: "-", with: "")
        if codeset != "UTF8" { setlocale(LC_CTYPE, "C.UTF-8") }
    }

    private func setUpStyles(_ theme: Theme) {
        var pair: Int16 = 1
        for style in Style.allCases {
            let look = theme.look(style, at: colorLevel)
            var attr: attr_t = 0
            if look.bold { attr |= mydia_a_bold() }
            if look.reverse { attr |= mydia_a_reverse() }
            if look.underline { attr |= mydia_a_underline() }
            if look.dim { attr |= mydia_a_dim() }
            if colorLevel != .mono, look.foreground >= 0 || look.background >= 0, Int(pair) < Int(mydia_color_pairs()) {
                _ = init_pair(pair, Int16(look.foreground), Int16(look.background))
                attr |= mydia_color_pair(Int32(pair))
                pair += 1
            }
            attributes[style] = attr
        }
        fillAttributes = attributes
    }

    /// Draws a whole frame and updates the terminal (curses sends only what changed).
    public func draw(_ frame: Frame) {
        let std = mydia_stdscr()
        _ = werase(std)
        let (rows, columns) = size
        for (row, line) in frame.lines.prefix(rows).enumerated() {
            _ = wmove(std, Int32(row), 0)
            var used = 0
            for span in line.spans where !span.text.isEmpty {
                let w = DisplayWidth.of(span.text)
                guard used + w <= columns else { break }
                _ = wattrset(std, Int32(bitPattern: UInt32(truncatingIfNeeded: attributes[span.style] ?? 0)))
                _ = waddstr(std, span.text)
                used += w
            }
            if let fill = line.fill, used < columns {
                _ = wattrset(std, Int32(bitPattern: UInt32(truncatingIfNeeded: fillAttributes[fill] ?? 0)))
                // The bottom-right cell would scroll; leave it.
                let n = row == rows - 1 ? columns - used - 1 : columns - used
                if n > 0 { _ = waddstr(std, String(repeating: " ", count: n)) }
            }
        }
        _ = wattrset(std, 0)
        if let std {
            painter.drawSymbols(frame.pictures, window: std, rows: rows, columns: columns)
        }
        let sequences = std.map { painter.prepareSequences(frame.pictures, window: $0, rows: rows, columns: columns) } ?? (clear: [], send: [])
        if let cursor = frame.cursor, cursor.row < rows, cursor.column < columns {
            _ = curs_set(1)
            _ = wmove(std, Int32(cursor.row), Int32(cursor.column))
        } else {
            _ = curs_set(0)
        }
        _ = wrefresh(std)
        // Kitty and sixel pictures go after curses' own output, straight to the terminal.
        let bytes = sequences.clear + painter.sequenceBytes(sequences.send)
        if !bytes.isEmpty, let outFile {
            _ = fflush(outFile)
            ImagePainter.writeAll(bytes, to: fileno(outFile))
        }
    }

    /// What reading the keyboard gave.
    public enum Input: Equatable {
        case key(Key)
        case resize
        case mouse(MouseEvent)
    }

    /// The next pending input, or `nil` when none is waiting (never blocks).
    public func read() -> Input? {
        var ch: wint_t = 0
        while true {
            let r = wget_wch(mydia_stdscr(), &ch)
            if r == mydia_err() { return nil }
            if r == mydia_key_code_yes() {
                if Int32(ch) == mydia_key_resize() { return .resize }
                if Int32(ch) == mydia_key_mouse() {
                    var y: Int32 = 0
                    var x: Int32 = 0
                    switch mydia_mouse_event(&y, &x) {
                    case 1: return .mouse(.click(row: Int(y), column: Int(x)))
                    case 2: return .mouse(.wheelUp(row: Int(y), column: Int(x)))
                    case 3: return .mouse(.wheelDown(row: Int(y), column: Int(x)))
                    default: continue
                    }
                }
                if let key = Self.functionKey(Int32(ch)) { return .key(key) }
                continue  // a key the UI has no use for (mouse, keypad extras)
            }
            if let key = Self.characterKey(UInt32(ch)) { return .key(key) }
        }
    }

    static func functionKey(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: .up
        case KEY_DOWN: .down
        case KEY_LEFT: .left
        case KEY_RIGHT: .right
        case KEY_NPAGE: .pageDown
        case KEY_PPAGE: .pageUp
        case KEY_HOME: .home
        case KEY_END: .end
        case KEY_DC: .delete
        case KEY_BTAB: .backTab
        case KEY_ENTER: .enter
        case KEY_BACKSPACE: .backspace
        default:
            (1...12).first { mydia_key_f(Int32($0)) == code }.map { .function($0) }
        }
    }

    /// A character from the keyboard as a key (control characters become named keys).
    public static func characterKey(_ value: UInt32) -> Key? {
        switch value {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26: return .control(Character(Unicode.Scalar(value + 96)!))
        case 0..<32: return nil
        default: return Unicode.Scalar(value).map { .character(Character($0)) }
        }
    }
}
