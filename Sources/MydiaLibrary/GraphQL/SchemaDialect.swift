import GraphQL

/// The schema one stock generation's requests are validated against: the executable schema's SDL
/// with what that generation lacks left out and, where it types a field differently, retyped
/// (PROTOCOL.md §14.2.8).
///
/// Graphiti builds one executable schema with no conditionals, so it holds what every generation
/// can ask for; a dialect narrows it. A request valid in the dialect runs on the executable schema
/// without a second validation, so an edit may only remove, or retype to something the executable
/// schema resolves the same way: an output that is only more strictly non-null, an enum with the
/// same value names, an argument whose values the executable argument's type accepts.
struct SchemaDialect: Sendable {
    /// One change to the executable SDL. A target is a type (`VerifyTotpInput`), a member
    /// (`LoginResult.totpRequired`: a field, an input field or an enum value) or an argument
    /// (`Mutation.startStreamingSession(maxHeight)`).
    enum Edit: Sendable, Hashable {
        /// Leaves the target out.
        case remove(String)
        /// Gives a field or an argument another type, written as in SDL (`String!`, `[MediaType]`).
        case retype(String, to: String)
    }

    /// Why a dialect could not be made from the executable schema (a mistake in its edits).
    enum Error: Swift.Error, CustomStringConvertible {
        /// An edit names something the executable schema does not have.
        case unknownTarget(String)
        /// Two edits change the same text.
        case overlappingEdits(String, String)
        /// The edited SDL is not a schema (e.g. a removed type is still used).
        case invalidSchema(String)

        var description: String {
            switch self {
            case .unknownTarget(let target): "The dialect edits \(target), which the executable schema does not have."
            case .overlappingEdits(let a, let b): "The dialect's edits of \(a) and \(b) overlap."
            case .invalidSchema(let why): "The dialect's schema is not valid: \(why)"
            }
        }
    }

    /// The edits, applied together.
    let edits: [Edit]

    /// The dialect as a schema to validate requests against.
    /// - Parameter executable: the executable schema's SDL (`printSchema`).
    func schema(from executable: String) throws -> GraphQLSchema {
        let source = try sdl(from: executable)
        do { return try buildSchema(source: source) } catch { throw Error.invalidSchema("\(error)") }
    }

    /// The dialect's SDL.
    /// - Parameter executable: the executable schema's SDL (`printSchema`).
    func sdl(from executable: String) throws -> String {
        let index = try SDLIndex(executable)
        let bytes = Array(executable.utf8)
        var splices: [Splice] = []
        // Argument edits are applied per field, by rewriting its argument list.
        var argumentEdits: [String: (member: SDLIndex.Member, removed: Set<String>, retyped: [String: String])] = [:]
        for edit in edits {
            switch edit {
            case .remove(let path):
                switch try index.resolve(path) {
                case .type(let type): splices.append(Splice(range: type.range, text: "", target: path))
                case .member(let member): splices.append(Splice(range: member.range, text: "", target: path))
                case .argument(let member, let argument):
                    argumentEdits[member.path, default: (member, [], [:])].removed.insert(argument.name)
                }
            case .retype(let path, let type):
                switch try index.resolve(path) {
                case .member(let member):
                    guard let typeRange = member.typeRange else { throw Error.unknownTarget(path) }
                    splices.append(Splice(range: typeRange, text: type, target: path))
                case .argument(let member, let argument):
                    argumentEdits[member.path, default: (member, [], [:])].retyped[argument.name] = type
                case .type:
                    throw Error.unknownTarget(path)
                }
            }
        }
        for (path, edit) in argumentEdits {
            let arguments = edit.member.arguments
            guard let first = arguments.first, let last = arguments.last, let fieldType = edit.member.typeRange else {
                throw Error.unknownTarget(path)
            }
            let kept = arguments.filter { !edit.removed.contains($0.name) }.map { argument in
                String(decoding: bytes[argument.range.lowerBound..<argument.typeRange.lowerBound], as: UTF8.self)
                    + (edit.retyped[argument.name] ?? String(decoding: bytes[argument.typeRange], as: UTF8.self))
                    + String(decoding: bytes[argument.typeRange.upperBound..<argument.range.upperBound], as: UTF8.self)
            }
            if kept.isEmpty {
                // `field(a: X): T` → `field: T`: an empty `()` is not SDL.
                splices.append(Splice(range: edit.member.nameEnd..<fieldType.lowerBound, text: ": ", target: "\(path)(…)"))
            } else {
                splices.append(Splice(range: first.range.lowerBound..<last.range.upperBound, text: kept.joined(separator: ", "),
                                      target: "\(path)(…)"))
            }
        }
        return try Splice.apply(splices, to: bytes)
    }
}

/// One replacement in the SDL text, in UTF-8 offsets (GraphQLSwift's locations).
private struct Splice {
    var range: Range<Int>
    var text: String
    var target: String

    static func apply(_ splices: [Splice], to original: [UInt8]) throws -> String {
        var bytes = original
        let sorted = splices.map { $0.text.isEmpty ? $0.widened(in: bytes) : $0 }.sorted { $0.range.lowerBound < $1.range.lowerBound }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.range.upperBound > b.range.lowerBound {
            throw SchemaDialect.Error.overlappingEdits(a.target, b.target)
        }
        for splice in sorted.reversed() { bytes.replaceSubrange(splice.range, with: Array(splice.text.utf8)) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A removal that fills its lines grows to the whole lines (and a removed type takes its blank
    /// separator line), so no indented blank line is left.
    func widened(in bytes: [UInt8]) -> Splice {
        let space = UInt8(ascii: " ")
        var start = range.lowerBound, end = range.upperBound
        while start > 0, bytes[start - 1] == space { start -= 1 }
        while end < bytes.count, bytes[end] == space { end += 1 }
        guard start == 0 || bytes[start - 1] == UInt8(ascii: "\n"), end < bytes.count, bytes[end] == UInt8(ascii: "\n") else {
            return self
        }
        end += 1
        // A removed type also takes the blank line that separated it from the next definition.
        if end < bytes.count, bytes[end] == UInt8(ascii: "\n"), start == 0 || (start >= 2 && bytes[start - 2] == UInt8(ascii: "\n")) {
            end += 1
        }
        return Splice(range: start..<end, text: "", target: target)
    }
}

/// Where each type, member and argument of an SDL document is.
private struct SDLIndex {
    struct Argument {
        var name: String
        var range: Range<Int>
        var typeRange: Range<Int>
    }

    struct Member {
        var path: String
        var range: Range<Int>
        /// `nil` for an enum value.
        var typeRange: Range<Int>?
        var nameEnd: Int
        var arguments: [Argument]
    }

    struct TypeEntry {
        var range: Range<Int>
        var members: [String: Member]
    }

    enum Target {
        case type(TypeEntry)
        case member(Member)
        case argument(Member, Argument)
    }

    var types: [String: TypeEntry] = [:]

    init(_ sdl: String) throws {
        let document: Document
        do { document = try parse(source: Source(body: sdl, name: "executable schema")) } catch {
            throw SchemaDialect.Error.invalidSchema("\(error)")
        }
        for definition in document.definitions {
            switch definition {
            case let d as ObjectTypeDefinition: try add(d.name.value, d.loc, fields: d.fields)
            case let d as InterfaceTypeDefinition: try add(d.name.value, d.loc, fields: d.fields)
            case let d as InputObjectTypeDefinition:
                try add(d.name.value, d.loc, members: d.fields.map { field in
                    Member(path: "\(d.name.value).\(field.name.value)", range: try Self.range(field.loc),
                           typeRange: try Self.range(of: field.type), nameEnd: try Self.range(field.name.loc).upperBound, arguments: [])
                })
            case let d as EnumTypeDefinition:
                try add(d.name.value, d.loc, members: d.values.map { value in
                    Member(path: "\(d.name.value).\(value.name.value)", range: try Self.range(value.loc), typeRange: nil,
                           nameEnd: try Self.range(value.name.loc).upperBound, arguments: [])
                })
            case let d as ScalarTypeDefinition: try add(d.name.value, d.loc, members: [])
            case let d as UnionTypeDefinition: try add(d.name.value, d.loc, members: [])
            default: continue
            }
        }
    }

    private mutating func add(_ name: String, _ loc: Location?, fields: [FieldDefinition]) throws {
        try add(name, loc, members: fields.map { field in
            Member(path: "\(name).\(field.name.value)", range: try Self.range(field.loc), typeRange: try Self.range(of: field.type),
                   nameEnd: try Self.range(field.name.loc).upperBound,
                   arguments: try field.arguments.map { argument in
                       Argument(name: argument.name.value, range: try Self.range(argument.loc), typeRange: try Self.range(of: argument.type))
                   })
        })
    }

    private mutating func add(_ name: String, _ loc: Location?, members: [Member]) throws {
        types[name] = TypeEntry(range: try Self.range(loc),
                                members: Dictionary(members.map { (String($0.path.split(separator: ".").last ?? ""), $0) },
                                                    uniquingKeysWith: { first, _ in first }))
    }

    /// A type reference's text. A bare `NamedType`'s own location ends before its name (GraphQLSwift
    /// 4.x makes it before parsing the name), so its name's location is used.
    private static func range(of type: any GraphQL.`Type`) throws -> Range<Int> {
        if let named = type as? NamedType { return try range(named.name.loc) }
        return try range(type.loc)
    }

    private static func range(_ loc: Location?) throws -> Range<Int> {
        guard let loc, loc.start <= loc.end else { throw SchemaDialect.Error.invalidSchema("the SDL's parsed locations are unusable") }
        return loc.start..<loc.end
    }

    /// `Type`, `Type.member` or `Type.field(argument)`.
    func resolve(_ path: String) throws -> Target {
        var head = Substring(path)
        var argumentName: Substring?
        if path.hasSuffix(")"), let open = path.firstIndex(of: "(") {
            argumentName = path[path.index(after: open)..<path.index(before: path.endIndex)]
            head = path[..<open]
        }
        let parts = head.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let type = types[String(parts[0])] else { throw SchemaDialect.Error.unknownTarget(path) }
        guard parts.count == 2 else {
            guard argumentName == nil else { throw SchemaDialect.Error.unknownTarget(path) }
            return .type(type)
        }
        guard let member = type.members[String(parts[1])] else { throw SchemaDialect.Error.unknownTarget(path) }
        guard let argumentName else { return .member(member) }
        guard let argument = member.arguments.first(where: { $0.name == argumentName }) else {
            throw SchemaDialect.Error.unknownTarget(path)
        }
        return .argument(member, argument)
    }
}
