/// One key press as the UI sees it, independent of curses key codes.
public enum Key: Hashable, Sendable {
    /// A printable character (including space).
    case character(Character)
    /// Ctrl plus a letter (`control("d")` is Ctrl-D).
    case control(Character)
    case up, down, left, right, enter, backspace, escape, tab, backTab
    case pageUp, pageDown, home, end, delete
    /// A function key, F1…F12.
    case function(Int)

    /// The key's name as config files and the help overlay spell it (`j`, `Down`, `Ctrl-d`, `F1`).
    public var name: String {
        switch self {
        case .character(" "): "Space"
        case .character(let c): String(c)
        case .control(let c): "Ctrl-\(c)"
        case .up: "Up"
        case .down: "Down"
        case .left: "Left"
        case .right: "Right"
        case .enter: "Enter"
        case .backspace: "Backspace"
        case .escape: "Esc"
        case .tab: "Tab"
        case .backTab: "Shift-Tab"
        case .pageUp: "PageUp"
        case .pageDown: "PageDown"
        case .home: "Home"
        case .end: "End"
        case .delete: "Delete"
        case .function(let n): "F\(n)"
        }
    }

    private static let named: [String: Key] = [
        "space": .character(" "), "up": .up, "down": .down, "left": .left, "right": .right,
        "enter": .enter, "return": .enter, "backspace": .backspace, "esc": .escape, "escape": .escape,
        "tab": .tab, "shift-tab": .backTab, "backtab": .backTab, "pageup": .pageUp, "pgup": .pageUp,
        "pagedown": .pageDown, "pgdn": .pageDown, "home": .home, "end": .end, "delete": .delete, "del": .delete,
    ]

    /// Parses a key name (`j`, `G`, `?`, `Space`, `Down`, `Ctrl-d`, `C-d`, `F5`); `nil` if unknown.
    public init?(name raw: String) {
        let lower = raw.lowercased()
        if raw.count == 1, let c = raw.first, !c.isWhitespace, !(c.asciiValue.map { $0 < 0x20 || $0 == 0x7F } ?? false) {
            self = .character(c)
            return
        }
        if let key = Self.named[lower] {
            self = key
            return
        }
        for prefix in ["ctrl-", "ctrl+", "c-", "^"] where lower.hasPrefix(prefix) {
            let rest = lower.dropFirst(prefix.count)
            guard rest.count == 1, let c = rest.first, c.isASCII, c.isLetter else { return nil }
            self = .control(c)
            return
        }
        if lower.hasPrefix("f"), let n = Int(lower.dropFirst()), (1...12).contains(n) {
            self = .function(n)
            return
        }
        return nil
    }
}
