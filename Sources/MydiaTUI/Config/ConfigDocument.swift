import TOMLKit

/// `config.toml` as a TOML 1.0 document, parsed by TOMLKit (toml++). A file that is not valid
/// TOML is an error naming the line and column, never a guess; what the settings mean is
/// ``TUIConfig``'s business.
enum ConfigDocument {
    /// Why the text is not TOML; `description` names the line.
    struct SyntaxError: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// 1-based line number.
        var line: Int
        /// 1-based column.
        var column: Int
        /// What is wrong there, in toml++'s words.
        var problem: String

        var description: String { "Line \(line), column \(column) of the config file is not valid TOML: \(problem)." }
    }

    /// Parses `text` into its root table.
    static func parse(_ text: String) throws(SyntaxError) -> TOMLTable {
        // toml++ reads a C string: a NUL would silently end the document there.
        if let nul = text.firstIndex(of: "\u{0}") {
            let line = text[..<nul].count(where: \.isNewline) + 1
            throw SyntaxError(line: line, column: 1 + text[..<nul].reversed().prefix { !$0.isNewline }.count,
                              problem: "a NUL character is not allowed")
        }
        do {
            return try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw SyntaxError(line: error.source.begin.line, column: error.source.begin.column,
                              problem: Self.plain(error.description))
        } catch {
            throw SyntaxError(line: 1, column: 1, problem: "\(error)")
        }
    }

    /// toml++ says "Error while parsing array: encountered end-of-file"; the sentence reads
    /// better as "encountered end-of-file (in an array)".
    static func plain(_ message: String) -> String {
        let lead = "Error while parsing "
        guard message.hasPrefix(lead), let colon = message.firstRange(of: ": ") else { return message }
        let context = message[message.index(message.startIndex, offsetBy: lead.count)..<colon.lowerBound]
        return "\(message[colon.upperBound...]) (in \(context))"
    }
}

extension TOMLValueConvertible {
    /// The value as a list of strings: a string is a list of one, an array must hold only strings.
    var strings: [String]? {
        if let single = string { return [single] }
        guard let array else { return nil }
        var items: [String] = []
        for element in array {
            guard let item = element.string else { return nil }
            items.append(item)
        }
        return items
    }
}
