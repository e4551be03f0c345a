import GraphQL

/// Bounds on a GraphQL document, checked before and after parsing (PROTOCOL.md §13.19).
/// GraphQLSwift's parser recurses once per nesting level without a limit, so a body of
/// 300,000 `[` or `{a{a{a…` overflowed the stack of whoever parsed it; the lexical check runs
/// first, on every request, before the bearer is looked at. After parsing, the operation's depth
/// and complexity are bounded too, as stock Mydia bounds complexity at 200.
public enum GraphQLLimits {
    /// Longest document, in UTF-8 bytes. The client's largest is under 2 KiB.
    public static let maxDocumentBytes = 32 * 1024
    /// Most lexical tokens in a document.
    public static let maxTokens = 4_000
    /// Deepest nesting of `{`, `[` and `(` together.
    public static let maxNesting = 32
    /// Deepest selection-set nesting of the operation, fragments expanded.
    public static let maxDepth = 12
    /// Most fields the operation selects, fragments expanded (stock Mydia: complexity 200).
    public static let maxComplexity = 200

    /// Why a document is refused before parsing, or `nil` if it may be parsed. A linear scan that
    /// skips strings, block strings and comments.
    public static func preflight(_ document: String) -> String? {
        let bytes = Array(document.utf8)
        guard bytes.count <= maxDocumentBytes else { return "The query is longer than \(maxDocumentBytes) bytes." }
        var tokens = 0, depth = 0, i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: ","):
                i += 1
                continue
            case UInt8(ascii: "#"):
                while i < n, bytes[i] != UInt8(ascii: "\n"), bytes[i] != UInt8(ascii: "\r") { i += 1 }
                continue
            case UInt8(ascii: "\""):
                if i + 2 < n, bytes[i + 1] == UInt8(ascii: "\""), bytes[i + 2] == UInt8(ascii: "\"") {
                    i += 3  // block string: ends at the next unescaped """
                    while i < n {
                        if bytes[i] == UInt8(ascii: "\\"), i + 3 < n, bytes[i + 1] == UInt8(ascii: "\""),
                           bytes[i + 2] == UInt8(ascii: "\""), bytes[i + 3] == UInt8(ascii: "\"") { i += 4; continue }
                        if bytes[i] == UInt8(ascii: "\""), i + 2 < n, bytes[i + 1] == UInt8(ascii: "\""),
                           bytes[i + 2] == UInt8(ascii: "\"") { i += 3; break }
                        i += 1
                    }
                } else {
                    i += 1
                    while i < n, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\n") {
                        i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1
                    }
                    i += 1
                }
            case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "("):
                depth += 1
                guard depth <= maxNesting else { return "The query nests deeper than \(maxNesting) levels." }
                i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: ")"):
                depth -= 1
                i += 1
            case UInt8(ascii: "."):
                i += (i + 2 < n && bytes[i + 1] == UInt8(ascii: ".") && bytes[i + 2] == UInt8(ascii: ".")) ? 3 : 1
            default:
                if isNamePart(b) {
                    while i < n, isNamePart(bytes[i]) || bytes[i] == UInt8(ascii: ".") && i + 1 < n && isDigit(bytes[i + 1]) { i += 1 }
                } else {
                    i += 1
                }
            }
            tokens += 1
            guard tokens <= maxTokens else { return "The query has more than \(maxTokens) tokens." }
        }
        return nil
    }

    /// Why a parsed operation is refused, or `nil`: its selection depth and its field count, with
    /// fragments expanded (each spread counted where it is used, a spread inside itself refused).
    static func check(_ operation: OperationDefinition, fragments: [String: FragmentDefinition]) -> String? {
        var fields = 0
        var deepest = 0
        var refusal: String?
        func walk(_ set: SelectionSet, depth: Int, expanding: Set<String>) {
            guard refusal == nil else { return }
            deepest = max(deepest, depth)
            guard depth <= maxDepth else {
                refusal = "The query is deeper than \(maxDepth) levels."
                return
            }
            for selection in set.selections {
                switch selection {
                case let field as GraphQL.Field:
                    fields += 1
                    guard fields <= maxComplexity else {
                        refusal = "The query selects more than \(maxComplexity) fields."
                        return
                    }
                    if let inner = field.selectionSet { walk(inner, depth: depth + 1, expanding: expanding) }
                case let inline as InlineFragment:
                    walk(inline.selectionSet, depth: depth, expanding: expanding)
                case let spread as FragmentSpread:
                    let name = spread.name.value
                    guard !expanding.contains(name) else {
                        refusal = "The fragment \(name) spreads itself."
                        return
                    }
                    if let fragment = fragments[name] { walk(fragment.selectionSet, depth: depth, expanding: expanding.union([name])) }
                default:
                    continue
                }
                if refusal != nil { return }
            }
        }
        walk(operation.selectionSet, depth: 1, expanding: [])
        return refusal
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    private static func isNamePart(_ b: UInt8) -> Bool {
        isDigit(b) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b >= 0x80
    }
}
