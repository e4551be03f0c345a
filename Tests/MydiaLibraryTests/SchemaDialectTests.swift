import Foundation
import GraphQL
@testable import MydiaLibrary
import Testing

/// `SchemaDialect` (PROTOCOL.md §14.2.8): edits of an SDL by path, and the refusal of edits that
/// name nothing, overlap or leave a broken schema.
@Suite struct SchemaDialectTests {
    static let sdl = """
        scalar Date

        enum Kind {
          ONE
          TWO
        }

        type Thing {
          p: Int
          q: String
          r(limit: Int): [Kind!]
        }

        input Filter {
          kind: Kind
          since: Date
        }

        type Query {
          a(x: Int, y: String, z: Boolean): Thing
          b(only: Int): Int
          c(filter: Filter): Int
        }

        """

    @Test func removalsAndRetypesChangeExactlyTheirTargets() throws {
        let dialect = SchemaDialect(edits: [
            .remove("Query.a(y)"), .retype("Query.a(z)", to: "Boolean!"), .remove("Query.b(only)"),
            .remove("Thing.q"), .retype("Thing.p", to: "Int!"), .remove("Thing.r(limit)"), .remove("Kind.TWO"),
            .remove("Filter.since"), .remove("Date"),
        ])
        #expect(try dialect.sdl(from: Self.sdl) == """
            enum Kind {
              ONE
            }

            type Thing {
              p: Int!
              r: [Kind!]
            }

            input Filter {
              kind: Kind
            }

            type Query {
              a(x: Int, z: Boolean!): Thing
              b: Int
              c(filter: Filter): Int
            }

            """)
        let schema = try dialect.schema(from: Self.sdl)
        #expect(validate(schema: schema, ast: try parse(source: "{ a(x: 1, z: true) { p r } b }")).isEmpty)
        let refused = validate(schema: schema, ast: try parse(source: "{ a(y: \"s\", z: true) { q } }")).map(\.message)
        #expect(refused.contains { $0.contains("\"y\"") } && refused.contains { $0.contains("Cannot query field \"q\"") })
    }

    @Test func anEditOfSomethingAbsentOverlappingOrBreakingIsRefused() throws {
        for path in ["Nope", "Query.nope", "Query.a(nope)", "Query.a.b", "Kind.THREE", "Query(x)"] {
            #expect(throws: SchemaDialect.Error.self, "\(path)") { try SchemaDialect(edits: [.remove(path)]).sdl(from: Self.sdl) }
        }
        // A type and an enum value have no type of their own to change.
        #expect(throws: SchemaDialect.Error.self) { try SchemaDialect(edits: [.retype("Thing", to: "Int")]).sdl(from: Self.sdl) }
        #expect(throws: SchemaDialect.Error.self) { try SchemaDialect(edits: [.retype("Kind.ONE", to: "Int")]).sdl(from: Self.sdl) }
        // Removing a type and one of its fields edits the same text twice.
        do {
            _ = try SchemaDialect(edits: [.remove("Thing"), .remove("Thing.q")]).sdl(from: Self.sdl)
            Issue.record("overlapping edits were accepted")
        } catch let error as SchemaDialect.Error {
            #expect(error.description == "The dialect's edits of Thing and Thing.q overlap.")
        }
        // A type still in use cannot go.
        #expect(throws: SchemaDialect.Error.self) { try SchemaDialect(edits: [.remove("Kind")]).schema(from: Self.sdl) }
    }

    /// The current dialect is the executable schema less only the older generation's search list.
    @Test func theCurrentDialectHidesOnlyTheOlderSearchList() throws {
        let executable = try CatalogSchema.sdl()
        let flat = "  sections: [SearchSection!]!\n  results: [SearchResult!]!\n"
        #expect(executable.contains(flat))
        #expect(try CatalogSchema.sdl(.current) == executable.replacingOccurrences(of: flat, with: "  sections: [SearchSection!]!\n"))
        let older = try CatalogSchema.sdl(.legacy20260701)
        #expect(older.contains("  startStreamingSession(fileId: ID!, strategy: StreamingStrategy!): StreamingSessionResult\n"))
        #expect(older.contains("  search(query: String!, types: [MediaType], first: Int): SearchResults!\n"))
        #expect(!older.contains("PlaylistMode") && !older.contains("VerifyTotpInput") && !older.contains("serverCompatibility"))
    }
}
