/// One character cell of a poster drawn with symbols: a block character and its two colours
/// (palette indices: 16–255 in 256 colours, 0–7 in 8; −1 = the terminal's default).
public struct SymbolCell: Sendable, Hashable {
    /// The character (one column wide).
    public var character: Character
    /// Foreground palette index.
    public var foreground: Int16
    /// Background palette index.
    public var background: Int16

    /// A cell.
    public init(_ character: Character, foreground: Int16, background: Int16) {
        self.character = character
        self.foreground = foreground
        self.background = background
    }
}

/// A poster rendered for a box of character cells, ready for the terminal layer.
public enum PosterArt: Sendable, Hashable {
    /// Block characters with colours, `rows` rows of `columns` cells; drawn by curses.
    case symbols(columns: Int, rows: Int, cells: [SymbolCell])
    /// A kitty or sixel escape sequence (as libchafa wrote it) covering `columns` × `rows` cells
    /// from the cursor; written to the terminal after curses has drawn the text.
    case sequence(GraphicsMode, columns: Int, rows: Int, bytes: [UInt8])

    /// Width in cells.
    public var columns: Int {
        switch self {
        case .symbols(let c, _, _), .sequence(_, let c, _, _): c
        }
    }

    /// Height in cells.
    public var rows: Int {
        switch self {
        case .symbols(_, let r, _), .sequence(_, _, let r, _): r
        }
    }
}

/// A poster placed on the screen: its top-left cell and what to draw there. `key` names the
/// picture and its placement, so the terminal layer re-sends a kitty or sixel sequence only when
/// something changed.
public struct FramePicture: Sendable, Hashable {
    /// Top row.
    public var row: Int
    /// Left column.
    public var column: Int
    /// The rendered poster.
    public var art: PosterArt
    /// What it shows (the artwork URL), for change detection.
    public var key: String

    /// A placed picture.
    public init(row: Int, column: Int, art: PosterArt, key: String) {
        self.row = row
        self.column = column
        self.art = art
        self.key = key
    }
}
