import Foundation

/// How posters are drawn in this terminal, decided once at start.
public struct PosterSettings: Sendable, Hashable {
    /// The graphics mode (`off`: no posters, nothing fetched).
    public var mode: GraphicsMode
    /// Colours for symbols.
    public var palette: ChafaEncoder.Palette
    /// One cell's size in pixels (from the terminal, else 8 × 16), for kitty and sixel.
    public var cellWidth: Int
    public var cellHeight: Int
    /// `TERM`, `TERM_PROGRAM` and friends, for chafa's terminal database (kitty and sixel).
    public var terminal: [String: String]

    /// Settings; the defaults draw nothing.
    public init(mode: GraphicsMode = .off, palette: ChafaEncoder.Palette = .palette256, cellWidth: Int = 8, cellHeight: Int = 16,
                terminal: [String: String] = [:]) {
        self.mode = mode
        self.palette = palette
        self.cellWidth = max(cellWidth, 1)
        self.cellHeight = max(cellHeight, 1)
        self.terminal = terminal
    }

    /// The box a poster gets in a detail pane `width` columns wide and `height` rows high:
    /// up to 28 columns, at most half the pane's height, shaped for a 2:3 poster.
    public func detailBox(width: Int, height: Int) -> PosterBox? {
        guard mode != .off, width >= 8, height >= 8 else { return nil }
        var columns = min(width, 28)
        // 2:3 pixels → rows = columns × cellWidth × 1.5 / cellHeight.
        var rows = Int((Double(columns * cellWidth) * 1.5 / Double(cellHeight)).rounded())
        let maxRows = height / 2
        if rows > maxRows {
            rows = maxRows
            columns = max(1, min(columns, Int((Double(rows * cellHeight) / 1.5 / Double(cellWidth)).rounded())))
        }
        guard rows >= 3, columns >= 4 else { return nil }
        return PosterBox(columns: columns, rows: rows)
    }
}

/// A box of character cells a poster is fitted into.
public struct PosterBox: Sendable, Hashable {
    public var columns: Int
    public var rows: Int

    public init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }
}

extension PosterSettings {
    /// The settings for the terminal on `fd`: `mode` as resolved from the config and the terminal,
    /// the palette from the colour level curses found (no posters in monochrome), the cell size in
    /// pixels from the terminal's window size when it reports one.
    public static func forTerminal(mode: GraphicsMode, colorLevel: ColorLevel, environment: [String: String], fd: Int32 = 1) -> PosterSettings {
        var size = winsize()
        var cellWidth = 8, cellHeight = 16
        if ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0, size.ws_xpixel > 0, size.ws_ypixel > 0 {
            cellWidth = max(1, Int(size.ws_xpixel) / Int(size.ws_col))
            cellHeight = max(1, Int(size.ws_ypixel) / Int(size.ws_row))
        }
        let terminal = environment.filter { ["TERM", "TERM_PROGRAM", "COLORTERM", "KITTY_WINDOW_ID", "VTE_VERSION"].contains($0.key) }
        switch colorLevel {
        case .mono: return PosterSettings(mode: .off)
        case .ansi8: return PosterSettings(mode: mode, palette: .ansi8, cellWidth: cellWidth, cellHeight: cellHeight, terminal: terminal)
        case .palette256: return PosterSettings(mode: mode, palette: .palette256, cellWidth: cellWidth, cellHeight: cellHeight, terminal: terminal)
        }
    }
}
