import Foundation
@testable import MydiaLibrary
import Testing

/// `GraphQLService` answering as a stock server of the 2026-07-01 generation (PROTOCOL.md §14.2.8):
/// what that schema lacks is refused in stock's words, login has no TOTP step, search answers one
/// flat list, introspection shows the older schema; the current generation is unchanged.
@Suite struct GraphQLGenerationTests {
    static func errors(_ json: [String: Any]) -> [String] {
        (json["errors"] as? [[String: Any]])?.compactMap { $0["message"] as? String } ?? []
    }

    /// What a client looks for to tell an older server (`APIClient.namesUnknownField`).
    static func namesUnknownField(_ message: String) -> Bool {
        message.contains("Cannot query field \"") || message.contains("Unknown argument \"")
    }

    @Test func anOlderServerRefusesWhatItsSchemaLacksInStocksWords() async throws {
        let f = try await Fixture.make(streaming: RecordingProvider(), generation: .legacy20260701)
        let (_, bearer, _) = try await f.pairedDevice()
        let movie = try #require(try await f.library.movies().first)
        let file = try #require(try await f.library.files(itemID: movie.id).first)

        let probe = try await f.graphQL("query ServerCompatibility { serverCompatibility { version minPlayerVersion } }", bearer: nil)
        #expect(probe.status == 200)
        #expect(Self.errors(probe.json) == ["Cannot query field \"serverCompatibility\" on type \"Query\"."])
        #expect(probe.json["data"] == nil || probe.json["data"] is NSNull)
        let locations = (probe.json["errors"] as? [[String: Any]])?.first?["locations"] as? [[String: Int]]
        #expect(locations == [["line": 1, "column": 29]])

        let start = try await f.graphQL("""
            mutation S($fileId: ID!, $p: Int) { startStreamingSession(fileId: $fileId, strategy: HLS_COPY, startPosition: $p) \
            { sessionId } }
            """, variables: ["fileId": file.id, "p": 3], bearer: bearer)
        #expect(Self.errors(start.json) == ["Unknown argument \"startPosition\" on field \"startStreamingSession\" of type \"Mutation\"."])
        let session = try await f.graphQL("mutation S($fileId: ID!) { startStreamingSession(fileId: $fileId, strategy: HLS_COPY) { sessionId playlistMode } }",
                                          variables: ["fileId": file.id], bearer: bearer)
        #expect(Self.errors(session.json) == ["Cannot query field \"playlistMode\" on type \"StreamingSessionResult\"."])
        let older = try await f.graphQL("mutation S($fileId: ID!) { startStreamingSession(fileId: $fileId, strategy: HLS_COPY) { sessionId duration } }",
                                        variables: ["fileId": file.id], bearer: bearer)
        #expect(Self.errors(older.json).isEmpty)
        #expect(dig(older.json, "data", "startStreamingSession", "sessionId") as? String == "session-1")

        let files = try await f.graphQL("{ movies { edges { node { files { id container duration subtitles { forced } } } } } }", bearer: bearer)
        #expect(Set(Self.errors(files.json)) == [
            "Cannot query field \"container\" on type \"MediaFile\".", "Cannot query field \"duration\" on type \"MediaFile\".",
            "Cannot query field \"forced\" on type \"SubtitleTrack\". Did you mean \"format\"?",
        ])
        for query in ["{ devices { id online } }", "{ continueWatching { id files { id } } }",
                      "{ recentlyAdded { id latestSeasonNumber } }", "mutation { refreshAccessToken(deviceToken: \"x\") { token } }"] {
            let refused = try await f.graphQL(query, bearer: bearer)
            #expect(Self.errors(refused.json).count == 1 && Self.errors(refused.json).allSatisfy(Self.namesUnknownField), "\(query)")
        }
        #expect(Self.errors(try await f.graphQL("{ devices { id isRevoked } recentlyAdded { id addedAt } }", bearer: bearer).json).isEmpty)
    }

    @Test func theCurrentGenerationAnswersAsBefore() async throws {
        let f = try await Fixture.make()
        let (_, bearer, _) = try await f.pairedDevice()
        #expect(f.service.generation == .current)
        let probe = try await f.graphQL("{ serverCompatibility { version minPlayerVersion } }", bearer: nil)
        #expect(dig(probe.json, "data", "serverCompatibility", "version") as? String == "1.0.0")
        let rails = try await f.graphQL("{ devices { online } recentlyAdded { latestSeasonNumber } movies { edges { node { files { container duration } } } } }",
                                        bearer: bearer)
        #expect(Self.errors(rails.json).isEmpty)
        // An argument nobody has reads as in stock; the older flat search list is not offered.
        let typo = try await f.graphQL("{ movies(frist: 1) { totalCount } }", bearer: bearer)
        #expect(Self.errors(typo.json) == ["Unknown argument \"frist\" on field \"movies\" of type \"Query\"."])
        let flat = try await f.graphQL("{ search(query: \"a\") { results { id } } }", bearer: bearer)
        #expect(Self.errors(flat.json) == ["Cannot query field \"results\" on type \"SearchResults\"."])
    }

    @Test func anOlderServerSignsInWithoutATOTPStep() async throws {
        let f = try await Fixture.make(scan: false, generation: .legacy20260701)
        let users = UserStore(database: f.database, now: f.clock.now)
        var password = Array("correct horse".utf8)
        _ = try await users.add(username: "ada", password: &password, withTOTP: false)
        password = Array("pw-1".utf8)
        _ = try await users.add(username: "bob", password: &password, withTOTP: true)
        let older = "mutation Login($input: LoginInput!) { login(input: $input) { token user { id username } expiresIn } }"

        let ada = try await f.graphQL(older, variables: GraphQLStockTests.input("ada", "correct horse"), bearer: nil)
        #expect(Self.errors(ada.json).isEmpty)
        #expect((dig(ada.json, "data", "login", "token") as? String)?.isEmpty == false)
        #expect(dig(ada.json, "data", "login", "expiresIn") as? Int == 30 * 24 * 3600)
        // The older LoginResult has a non-null token and no way to ask for a code: a TOTP account is
        // refused (after its password was right), a wrong password as always.
        let bob = try await f.graphQL(older, variables: GraphQLStockTests.input("bob", "pw-1"), bearer: nil)
        #expect(Self.errors(bob.json) == [LoginResultObject.totpNeedsNewerServer])
        #expect(dig(bob.json, "data", "login") is NSNull)
        let wrong = try await f.graphQL(older, variables: GraphQLStockTests.input("bob", "nope"), bearer: nil)
        #expect(Self.errors(wrong.json) == ["Invalid username or password"])
        // The current documents name what the older schema lacks.
        let current = try await f.graphQL(GraphQLStockTests.login, variables: GraphQLStockTests.input("ada", "correct horse"), bearer: nil)
        #expect(Self.errors(current.json) == ["Cannot query field \"totpRequired\" on type \"LoginResult\".",
                                              "Cannot query field \"challengeToken\" on type \"LoginResult\"."])
        let verify = try await f.graphQL(GraphQLStockTests.verify, variables: ["input": ["challengeToken": "c", "code": "1"]], bearer: nil)
        #expect(Self.errors(verify.json).contains("Cannot query field \"verifyTotp\" on type \"Mutation\"."))
    }

    @Test func anOlderServerSearchesInOneFlatListOfMediaTypes() async throws {
        let f = try await Fixture.make(generation: .legacy20260701)
        let (_, bearer, _) = try await f.pairedDevice()
        let query = """
            query Search($q: String!, $types: [MediaType], $first: Int) { search(query: $q, types: $types, first: $first) \
            { totalCount results { id type title year artwork { posterUrl } score } } }
            """
        let all = try await f.graphQL(query, variables: ["q": "a", "first": 50], bearer: bearer)
        #expect(Self.errors(all.json).isEmpty)
        let results = try #require(dig(all.json, "data", "search", "results") as? [[String: Any]])
        let total = try #require(dig(all.json, "data", "search", "totalCount") as? Int)
        #expect(results.count == total && total >= 3)
        // Movies first, then shows, then episodes, as the sections are.
        let types = results.compactMap { $0["type"] as? String }
        #expect(types == types.sorted { ["MOVIE", "TV_SHOW", "EPISODE"].firstIndex(of: $0)! < ["MOVIE", "TV_SHOW", "EPISODE"].firstIndex(of: $1)! })
        #expect(Set(types) == ["MOVIE", "TV_SHOW", "EPISODE"])
        #expect(results.allSatisfy { $0["artwork"] is NSNull && $0["score"] is NSNull })

        // `first` caps the list in all; `types` is a [MediaType] variable.
        let two = try await f.graphQL(query, variables: ["q": "a", "first": 2], bearer: bearer)
        #expect((dig(two.json, "data", "search", "results") as? [Any])?.count == 2)
        #expect(dig(two.json, "data", "search", "totalCount") as? Int == total)
        let shows = try await f.graphQL(query, variables: ["q": "a", "types": ["TV_SHOW"]], bearer: bearer)
        #expect(Self.errors(shows.json).isEmpty)
        #expect((dig(shows.json, "data", "search", "results") as? [[String: Any]])?.map { $0["title"] as? String } == ["Signal Hour"])

        let sections = try await f.graphQL("{ search(query: \"a\") { sections { type } } }", bearer: bearer)
        #expect(Self.errors(sections.json) == ["Cannot query field \"sections\" on type \"SearchResults\"."])
        let newer = try await f.graphQL("query S($t: [SearchResultType]) { search(query: \"a\", types: $t) { totalCount } }",
                                        variables: ["t": ["MOVIE"]], bearer: bearer)
        #expect(Self.errors(newer.json).contains { $0.contains("\"SearchResultType\"") })
    }

    @Test func introspectionShowsTheGenerationsSchema() async throws {
        let older = try await Fixture.make(scan: false, generation: .legacy20260701)
        let current = try await Fixture.make(scan: false)
        let query = "{ query: __type(name: \"Query\") { fields { name } } search: __type(name: \"SearchResults\") { fields { name } } }"
        func names(_ f: Fixture, _ type: String) async throws -> Set<String> {
            let (_, bearer, _) = try await f.pairedDevice()
            let answer = try await f.graphQL(query, bearer: bearer)
            return Set((dig(answer.json, "data", type, "fields") as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? [])
        }
        #expect(try await names(older, "query").contains("movies"))
        #expect(try await !names(older, "query").contains("serverCompatibility"))
        #expect(try await names(older, "search") == ["totalCount", "results"])
        #expect(try await names(current, "query").contains("serverCompatibility"))
        #expect(try await names(current, "search") == ["totalCount", "sections"])
    }
}
