/// The small part of TOML the config file needs, parsed by hand: no TOML library is in the
/// package mirror (PROTOCOL.md §13 item 42). Supported: `# comments`, `[table]` headers (one
/// level), `key = "string"`, `key = 'literal'`, integers, `true`/`false`, and arrays of strings
/// (on one line). Anything else is a clear error with its line number, never a guess.
public enum TOMLSubset {
    /// A value.
    public enum Value: Sendable, Equatable {
        case string(String)
        case integer(Int)
        case boolean(Bool)
        case strings([String])
    }

    /// Why the file cannot be read; `description` names the line.
    public struct Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// 1-based line number.
        public var line: Int
        /// What is wrong there.
        public var problem: String
        public var description: String { "Line \(line) of the config file: \(problem)." }
    }

    /// Parses `text` into tables: `""` holds the keys before the first header.
    public static func parse(_ text: String) throws(Error) -> [String: [String: Value]] {
        var tables: [String: [String: Value]] = ["": [:]]
        var current = ""
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            var scanner = Scanner(Substring(raw), line: number)
            scanner.skipSpaces()
            if scanner.atEndOrComment { continue }
            if scanner.peek == "[" {
                scanner.advance()
                scanner.skipSpaces()
                let name = try scanner.bareKey()
                scanner.skipSpaces()
                guard scanner.peek == "]" else { throw Error(line: number, problem: "a table header must look like [keys]") }
                scanner.advance()
                try scanner.expectEnd()
                guard tables[name] == nil else { throw Error(line: number, problem: "the table [\(name)] appears twice") }
                tables[name] = [:]
                current = name
                continue
            }
            let key = try scanner.key()
            scanner.skipSpaces()
            guard scanner.peek == "=" else { throw Error(line: number, problem: "expected `=` after \(key)") }
            scanner.advance()
            scanner.skipSpaces()
            let value = try scanner.value()
            try scanner.expectEnd()
            guard tables[current]?[key] == nil else { throw Error(line: number, problem: "\(key) is set twice") }
            tables[current, default: [:]][key] = value
        }
        return tables
    }

    private struct Scanner {
        var rest: Substring
        let line: Int

        init(_ text: Substring, line: Int) {
            rest = text.hasSuffix("\r") ? text.dropLast() : text
            self.line = line
        }

        var peek: Character? { rest.first }
        var atEndOrComment: Bool { rest.isEmpty || rest.first == "#" }
        mutating func advance() { rest = rest.dropFirst() }
        mutating func skipSpaces() { while let c = rest.first, c == " " || c == "\t" { rest = rest.dropFirst() } }

        func fail(_ problem: String) -> Error { Error(line: line, problem: problem) }

        mutating func expectEnd() throws(Error) {
            skipSpaces()
            guard atEndOrComment else { throw fail("unexpected text after the value: \(rest.prefix(20))") }
        }

        mutating func bareKey() throws(Error) -> String {
            let key = rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
            guard !key.isEmpty else { throw fail("expected a name") }
            rest = rest.dropFirst(key.count)
            return String(key)
        }

        mutating func key() throws(Error) -> String {
            if peek == "\"" || peek == "'" { return try string() }
            return try bareKey()
        }

        mutating func value() throws(Error) -> Value {
            switch peek {
            case "\"", "'": return .string(try string())
            case "[":
                advance()
                var items: [String] = []
                while true {
                    skipSpaces()
                    if peek == "]" { advance(); return .strings(items) }
                    guard peek == "\"" || peek == "'" else { throw fail("arrays may only hold quoted strings, on one line") }
                    items.append(try string())
                    skipSpaces()
                    if peek == "," { advance(); continue }
                    guard peek == "]" else { throw fail("expected `,` or `]` in the array") }
                }
            default:
                let word = rest.prefix { !$0.isWhitespace && $0 != "#" }
                rest = rest.dropFirst(word.count)
                if word == "true" { return .boolean(true) }
                if word == "false" { return .boolean(false) }
                if let n = Int(String(word.filter { $0 != "_" })) { return .integer(n) }
                throw fail(word.isEmpty ? "a value is missing" : "\(word) is not a value this file understands (quote strings)")
            }
        }

        mutating func string() throws(Error) -> String {
            guard let quote = peek else { throw fail("expected a string") }
            advance()
            var out = ""
            while let c = peek {
                advance()
                if c == quote { return out }
                if c == "\\" && quote == "\"" {
                    guard let e = peek else { break }
                    advance()
                    switch e {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "\\": out.append("\\")
                    case "\"": out.append("\"")
                    default: throw fail("the escape \\\(e) is not supported")
                    }
                } else {
                    out.append(c)
                }
            }
            throw fail("a string is not closed")
        }
    }
}
