/// What a piece of text means on screen. The terminal layer maps each role to colours and
/// attributes for the terminal's capabilities (256 colours, 8 colours, or none), so view models
/// never deal with colour numbers.
public enum Style: Int, Sendable, Hashable, CaseIterable {
    case normal, dim, title, heading, selected, accent, error, warning, success
    case barRelay, barDual, barDirect, barOffline, barText, overlay
}

/// A run of text in one style.
public struct Span: Sendable, Hashable {
    /// The text; already truncated to fit by whoever built the line.
    public var text: String
    /// Its role.
    public var style: Style

    /// A span.
    public init(_ text: String, _ style: Style = .normal) {
        self.text = text
        self.style = style
    }
}

/// One screen row: spans drawn left to right from column 0; `fill` paints the rest of the row.
public struct Line: Sendable, Hashable {
    /// The spans.
    public var spans: [Span]
    /// The style of the rest of the row (for full-width bars and the selection).
    public var fill: Style?

    /// A line.
    public init(_ spans: [Span] = [], fill: Style? = nil) {
        self.spans = spans
        self.fill = fill
    }

    /// The visible text of the line (tests and the plain-text dump).
    public var text: String { spans.map(\.text).joined() }
}

/// A whole screen: exactly `rows` lines, none wider than `columns` display columns. Built by
/// the view code from the app state (pure), drawn by the terminal layer (curses).
public struct Frame: Sendable, Equatable {
    /// Screen height.
    public var rows: Int
    /// Screen width.
    public var columns: Int
    /// The lines, top to bottom (`rows` of them).
    public var lines: [Line]
    /// Where to show the cursor (row, column), `nil` to hide it.
    public var cursor: (row: Int, column: Int)?
    /// Posters drawn over the text after it (their cells are left blank by the views).
    public var pictures: [FramePicture] = []

    /// An empty frame of the given size.
    public init(rows: Int, columns: Int) {
        self.rows = max(rows, 0)
        self.columns = max(columns, 0)
        self.lines = Array(repeating: Line(), count: self.rows)
    }

    /// Sets row `row` (ignored outside the frame), truncating its spans to the frame width.
    public mutating func set(_ row: Int, _ line: Line) {
        guard row >= 0, row < rows else { return }
        lines[row] = Self.clip(line, to: columns)
    }

    /// Draws `spans` on row `row` starting at `column`: what is there is cut or padded to `column`.
    public mutating func put(_ row: Int, column: Int, _ spans: [Span]) {
        guard row >= 0, row < rows, column < columns else { return }
        var left = Self.clip(lines[row], to: column)
        let used = left.spans.reduce(0) { $0 + DisplayWidth.of($1.text) }
        if used < column { left.spans.append(Span(String(repeating: " ", count: column - used))) }
        left.spans += spans
        lines[row] = Self.clip(Line(left.spans, fill: lines[row].fill), to: columns)
    }

    /// The frame as plain text, one line per row (for tests).
    public var text: String { lines.map(\.text).joined(separator: "\n") }

    /// `line` cut at `columns` display columns (a span that crosses the edge is truncated by width).
    public static func clip(_ line: Line, to columns: Int) -> Line {
        var used = 0
        var spans: [Span] = []
        for span in line.spans {
            guard used < columns else { break }
            let w = DisplayWidth.of(span.text)
            if used + w <= columns {
                spans.append(span)
                used += w
            } else {
                let cut = DisplayWidth.truncate(span.text, to: columns - used)
                spans.append(Span(cut, span.style))
                used += DisplayWidth.of(cut)
            }
        }
        return Line(spans, fill: line.fill)
    }

    public static func == (a: Frame, b: Frame) -> Bool {
        a.rows == b.rows && a.columns == b.columns && a.lines == b.lines && a.pictures == b.pictures && a.cursor?.row == b.cursor?.row && a.cursor?.column == b.cursor?.column
    }
}
