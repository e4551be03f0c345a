import Foundation
import MydiaLibrary
import Testing

/// Hostile documents are refused with a 400 and a GraphQL error before they are parsed (the
/// parser recurses once per nesting level: 300,000 levels overflowed the server's stack), with or
/// without a bearer; what the client sends passes.
@Suite struct GraphQLLimitsTests {
    @Test(arguments: [
        "{a(b:" + String(repeating: "[", count: 300_000) + "}",
        String(repeating: "{a", count: 300_000),
        "{a(b:" + String(repeating: "[", count: 20_000) + "}",
        String(repeating: "{a", count: 10_000),
        "query { a(b: " + String(repeating: "{c: ", count: 5_000) + "}",
    ])
    func deeplyNestedDocumentsAreRefusedWithoutParsing(_ query: String) async throws {
        let f = try await Fixture.make(scan: false)
        let (_, bearer, _) = try await f.pairedDevice()
        for token in [nil, bearer] {
            let response = try await f.graphQL(query, bearer: token)
            #expect(response.status == 400)
            let message = dig(response.json, "errors", 0, "message") as? String
            #expect(message?.contains("nests deeper") == true || message?.contains("longer than") == true)
        }
    }

    @Test func aDocumentPastTheByteLimitIsRefused() async throws {
        let f = try await Fixture.make(scan: false)
        let query = "{ __typename " + String(repeating: "# padding\n", count: 4_000) + "}"
        let response = try await f.graphQL(query, bearer: nil)
        #expect(response.status == 400)
        #expect((dig(response.json, "errors", 0, "message") as? String)?.contains("longer than") == true)
    }

    @Test func tooManyTokensAreRefused() async throws {
        let f = try await Fixture.make(scan: false)
        let query = "{ " + String(repeating: "a ", count: GraphQLLimits.maxTokens) + "}"
        let response = try await f.graphQL(query, bearer: nil)
        #expect(response.status == 400)
        #expect((dig(response.json, "errors", 0, "message") as? String)?.contains("tokens") == true)
    }

    @Test func aSelectionDeeperThanTheLimitIsRefusedAfterParsing() async throws {
        let f = try await Fixture.make(scan: false)
        let (_, bearer, _) = try await f.pairedDevice()
        let depth = GraphQLLimits.maxDepth + 1
        let query = String(repeating: "{ movies { edges { node ", count: 1) + String(repeating: "{ a ", count: depth) + String(repeating: "}", count: depth + 3)
        let response = try await f.graphQL(query, bearer: bearer)
        #expect(response.status == 400)
        #expect((dig(response.json, "errors", 0, "message") as? String)?.contains("deeper than") == true)
    }

    @Test func moreFieldsThanTheComplexityLimitAreRefusedAndFragmentsCountWhereUsed() async throws {
        let f = try await Fixture.make(scan: false)
        let (_, bearer, _) = try await f.pairedDevice()
        let aliases = (0...GraphQLLimits.maxComplexity).map { "t\($0): __typename" }.joined(separator: " ")
        let wide = try await f.graphQL("{ \(aliases) }", bearer: bearer)
        #expect(wide.status == 400)
        #expect((dig(wide.json, "errors", 0, "message") as? String)?.contains("more than \(GraphQLLimits.maxComplexity) fields") == true)

        // 15 fields in a fragment spread 14 times: 210 fields, though the text has few.
        let fifteen = (0..<15).map { "f\($0): __typename" }.joined(separator: " ")
        let spreads = (0..<14).map { "s\($0): movies { ...F }" }.joined(separator: " ")
        let fanned = try await f.graphQL("query { \(spreads) } fragment F on MovieConnection { \(fifteen) }", bearer: bearer)
        #expect(fanned.status == 400)

        let within = try await f.graphQL("{ movies { totalCount edges { node { id title year } } } }", bearer: bearer)
        #expect(within.status == 200)
    }

    @Test func aFragmentThatSpreadsItselfIsRefused() async throws {
        let f = try await Fixture.make(scan: false)
        let (_, bearer, _) = try await f.pairedDevice()
        let response = try await f.graphQL("query { movies { ...F } } fragment F on MovieConnection { totalCount ...F }", bearer: bearer)
        #expect(response.status == 400)
    }

    @Test func braceCharactersInsideStringsAndCommentsDoNotCount() {
        let strings = "{ search(query: \"" + String(repeating: "{", count: 1_000) + "\") { totalCount } }"
        #expect(GraphQLLimits.preflight(strings) == nil)
        let block = "{ search(query: \"\"\"" + String(repeating: "[", count: 1_000) + "\\\"\"\" \"\"\") { totalCount } }"
        #expect(GraphQLLimits.preflight(block) == nil)
        let comment = "# " + String(repeating: "(", count: 1_000) + "\n{ __typename }"
        #expect(GraphQLLimits.preflight(comment) == nil)
    }

    @Test func deeplyNestedJSONVariablesAreABadRequestNotACrash() async throws {
        let f = try await Fixture.make(scan: false)
        let deep = String(repeating: "[", count: 300_000) + String(repeating: "]", count: 300_000)
        let body = Data(("{\"query\":\"{ __typename }\",\"variables\":{\"v\":" + deep + "}}").utf8)
        let response = await f.service.execute(body: body, bearer: nil, tunnelDeviceID: nil)
        #expect(response.status == 400)
    }
}
