/// How pictures reach the terminal.
public enum GraphicsMode: String, Sendable, Hashable, CaseIterable {
    /// The kitty graphics protocol (kitty, WezTerm, Ghostty, Konsole).
    case kitty
    /// DEC sixel (xterm -ti vt340, foot, mlterm, Windows Terminal, iTerm2).
    case sixel
    /// Unicode block characters in 256 or 8 colours, drawn through curses like text.
    case symbols
    /// No pictures.
    case off
}

/// `[ui] images` in config.toml: a mode, or `auto` to ask the terminal.
public enum ImagesSetting: String, Sendable, Hashable, CaseIterable {
    case auto, kitty, sixel, symbols, off
}
