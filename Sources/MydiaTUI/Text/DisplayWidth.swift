import CNcurses

/// Terminal display width of text (columns, not characters): CJK ideographs take two columns,
/// combining marks none. Uses the C library's `wcwidth`, so the process needs a UTF-8 `LC_CTYPE`
/// (`Terminal` sets one up); a character the locale does not know counts as one column.
public enum DisplayWidth {
    /// Columns one scalar takes.
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        if scalar.value < 0x7F { return scalar.value >= 0x20 ? 1 : 0 }
        let w = mydia_wcwidth(wchar_t(bitPattern: scalar.value))
        return w < 0 ? 1 : Int(w)
    }

    /// Columns a grapheme cluster takes (its base scalar decides; marks add nothing).
    public static func of(_ character: Character) -> Int {
        var width = 0
        for scalar in character.unicodeScalars { width += of(scalar) }
        // Emoji sequences and the like: a cluster never takes more than two columns.
        return min(width, 2)
    }

    /// Columns a string takes.
    public static func of(_ text: some StringProtocol) -> Int {
        var width = 0
        for character in text { width += of(character) }
        return width
    }

    /// The longest prefix of `text` that fits in `columns`, with `…` when something was cut.
    /// Never splits a grapheme cluster, so an accented letter keeps its accent and a wide
    /// character that would straddle the edge is left out whole.
    public static func truncate(_ text: String, to columns: Int, ellipsis: Bool = true) -> String {
        guard columns > 0 else { return "" }
        if of(text) <= columns { return text }
        let budget = ellipsis ? columns - 1 : columns
        var used = 0
        var out = ""
        for character in text {
            let w = of(character)
            if used + w > budget { break }
            used += w
            out.append(character)
        }
        return ellipsis ? out + "…" : out
    }

    /// `text` truncated to `columns` and padded with spaces to exactly `columns`.
    public static func fit(_ text: String, to columns: Int) -> String {
        let cut = truncate(text, to: columns)
        let w = of(cut)
        return w < columns ? cut + String(repeating: " ", count: columns - w) : cut
    }

    /// `text` right-aligned in `columns` (truncated when longer).
    public static func rightAligned(_ text: String, in columns: Int) -> String {
        let cut = truncate(text, to: columns)
        let w = of(cut)
        return w < columns ? String(repeating: " ", count: columns - w) + cut : cut
    }

    /// Splits `text` into lines of at most `columns` columns, breaking at spaces where possible.
    public static func wrap(_ text: String, to columns: Int) -> [String] {
        guard columns > 0 else { return [] }
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            var lineWidth = 0
            let before = lines.count
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: true) {
                var word = String(word)
                var ww = of(word)
                if lineWidth > 0 && lineWidth + 1 + ww > columns {
                    lines.append(line)
                    line = ""
                    lineWidth = 0
                }
                while ww > columns {  // a word longer than a line: hard break
                    var head = truncate(word, to: columns, ellipsis: false)
                    if head.isEmpty { head = String(word.prefix(1)) }  // one wide character on a 1-column line
                    lines.append(head)
                    word = String(word.dropFirst(head.count))
                    ww = of(word)
                }
                if word.isEmpty { continue }
                if lineWidth > 0 { line += " "; lineWidth += 1 }
                line += word
                lineWidth += ww
            }
            if !line.isEmpty || lines.count == before { lines.append(line) }
        }
        return lines
    }
}
