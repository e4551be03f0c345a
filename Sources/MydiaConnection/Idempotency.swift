import Foundation

/// Decides whether a request may be sent twice (PROTOCOL.md §12.20): GET, HEAD and DELETE, and
/// GraphQL documents whose selected operation is a `query`. Anything it cannot read is treated as
/// not idempotent, so a doubt never re-sends a mutation.
enum Idempotency {
    static let graphQLPath = "/api/graphql"

    static func isIdempotent(_ request: PathRequest) -> Bool {
        switch request.method {
        case "GET", "HEAD", "DELETE": return true
        case "POST": return isGraphQLQuery(request)
        default: return false
        }
    }

    private static func isGraphQLQuery(_ request: PathRequest) -> Bool {
        let path = request.path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.path
        guard path == graphQLPath,
              let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
              let document = object["query"] as? String
        else { return false }
        let operations = GraphQLOperationScanner.operations(in: document)
        let selected: GraphQLOperationScanner.Operation?
        if let name = object["operationName"] as? String {
            selected = operations.first { $0.name == name }
        } else {
            selected = operations.count == 1 ? operations.first : nil
        }
        return selected?.kind == "query"
    }
}

/// Lists the top-level operations of a GraphQL document (kind and name), skipping strings,
/// comments and selection sets. Not a validator: the instance still parses the document.
enum GraphQLOperationScanner {
    struct Operation: Equatable {
        var kind: String
        var name: String?
    }

    static func operations(in document: String) -> [Operation] {
        let scalars = Array(document.unicodeScalars)
        var operations: [Operation] = []
        var index = 0
        var braceDepth = 0
        var parenDepth = 0
        var inDefinition = false
        var expectingName = false

        func isNameStart(_ c: Unicode.Scalar) -> Bool { c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) }
        func isNameContinue(_ c: Unicode.Scalar) -> Bool { isNameStart(c) || ("0"..."9").contains(c) }

        while index < scalars.count {
            let c = scalars[index]
            switch c {
            case "#":
                while index < scalars.count, scalars[index] != "\n" { index += 1 }
                continue
            case "\"":
                index = endOfString(scalars, from: index)
                continue
            case "(":
                parenDepth += 1
                expectingName = false
            case ")":
                parenDepth = max(0, parenDepth - 1)
            case "@", "$":
                expectingName = false
            case "{":
                if braceDepth == 0 {
                    if !inDefinition { operations.append(Operation(kind: "query", name: nil)) }
                    inDefinition = false
                    expectingName = false
                }
                braceDepth += 1
            case "}":
                braceDepth = max(0, braceDepth - 1)
            default:
                guard isNameStart(c) else { break }
                let start = index
                while index < scalars.count, isNameContinue(scalars[index]) { index += 1 }
                guard braceDepth == 0, parenDepth == 0 else { continue }
                let word = String(String.UnicodeScalarView(scalars[start..<index]))
                if expectingName {
                    operations[operations.count - 1].name = word
                    expectingName = false
                } else if !inDefinition {
                    inDefinition = true
                    if ["query", "mutation", "subscription"].contains(word) {
                        operations.append(Operation(kind: word, name: nil))
                        expectingName = true
                    }
                }
                continue
            }
            index += 1
        }
        return operations
    }

    /// Index just past the string literal (plain or block) starting at `start`.
    private static func endOfString(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
        let isBlock = start + 2 < scalars.count && scalars[start + 1] == "\"" && scalars[start + 2] == "\""
        var index = start + (isBlock ? 3 : 1)
        while index < scalars.count {
            if scalars[index] == "\\" { index += 2; continue }
            if isBlock {
                if index + 2 < scalars.count, scalars[index] == "\"", scalars[index + 1] == "\"", scalars[index + 2] == "\"" {
                    return index + 3
                }
            } else if scalars[index] == "\"" {
                return index + 1
            }
            index += 1
        }
        return index
    }
}
