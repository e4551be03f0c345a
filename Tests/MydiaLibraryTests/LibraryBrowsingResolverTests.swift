import Foundation
import MydiaLibrary
import Testing

/// What the browsing UI asks of the reference server: sorted pages (`sort: SortInput`, built from
/// variables as the client sends it), `markSeasonWatched` / `markSeasonUnwatched`, and `upNext`.
@Suite struct LibraryBrowsingResolverTests {
    static let sorted = "query($first: Int, $after: String, $sortField: SortField, $sortDirection: SortDirection) { movies(first: $first, "
        + "after: $after, sort: { field: $sortField, direction: $sortDirection }) { edges { node { title year addedAt } } pageInfo { endCursor } } }"

    static func titles(_ json: [String: Any]) -> [String] {
        ((dig(json, "data", "movies", "edges") as? [Any]) ?? []).compactMap { dig($0, "node", "title") as? String }
    }

    @Test func moviesSortByYearBothWaysAcrossPages() async throws {
        let f = try await Fixture.make()
        let (_, bearer, _) = try await f.pairedDevice()
        let first = try await f.graphQL(Self.sorted, variables: ["first": 2, "sortField": "YEAR", "sortDirection": "DESC"], bearer: bearer)
        #expect(Self.titles(first.json) == ["Big Test Pattern", "Amélie à Paris"], "\(first.json)")
        let cursor = try #require(dig(first.json, "data", "movies", "pageInfo", "endCursor") as? String)
        let rest = try await f.graphQL(Self.sorted, variables: ["first": 2, "after": cursor, "sortField": "YEAR", "sortDirection": "DESC"],
                                       bearer: bearer)
        #expect(Self.titles(rest.json) == ["東京物語"])
        let ascending = try await f.graphQL(Self.sorted, variables: ["sortField": "YEAR", "sortDirection": "ASC"], bearer: bearer)
        #expect(Self.titles(ascending.json) == ["東京物語", "Amélie à Paris", "Big Test Pattern"])
        let byTitleDown = try await f.graphQL(Self.sorted, variables: ["sortField": "TITLE", "sortDirection": "DESC"], bearer: bearer)
        #expect(Self.titles(byTitleDown.json) == ["東京物語", "Big Test Pattern", "Amélie à Paris"])
        let plain = try await f.graphQL(Self.sorted, variables: [:], bearer: bearer)
        #expect(Self.titles(plain.json) == ["Amélie à Paris", "Big Test Pattern", "東京物語"])
        #expect((dig(plain.json, "data", "movies", "edges", 0, "node", "addedAt") as? String)?.hasSuffix("Z") == true)
        let wrong = try await f.graphQL(Self.sorted, variables: ["sortField": "LOUDNESS"], bearer: bearer)
        #expect((wrong.json["errors"] as? [Any])?.isEmpty == false)
    }

    @Test func aSeasonIsMarkedAndUnmarkedAndTheNextEpisodeIsUp() async throws {
        let f = try await Fixture.make()
        let (_, bearer, _) = try await f.pairedDevice()
        let shows = try await f.graphQL("{ tvShows { edges { node { id title } } } }", bearer: bearer)
        let show = try #require(dig(shows.json, "data", "tvShows", "edges", 0, "node", "id") as? String)
        let episodes = "query($id: ID!, $n: Int!) { seasonEpisodes(showId: $id, seasonNumber: $n) { id episodeNumber progress { watched } } }"
        func watched(_ n: Int) async throws -> [Bool] {
            let r = try await f.graphQL(episodes, variables: ["id": show, "n": n], bearer: bearer)
            return ((dig(r.json, "data", "seasonEpisodes") as? [Any]) ?? []).map { dig($0, "progress", "watched") as? Bool ?? false }
        }
        #expect(try await watched(1) == [false, false, false])

        let mark = "mutation($id: ID!, $n: Int!) { markSeasonWatched(showId: $id, seasonNumber: $n) { id title } }"
        let marked = try await f.graphQL(mark, variables: ["id": show, "n": 1], bearer: bearer)
        #expect(dig(marked.json, "data", "markSeasonWatched", "title") as? String == "Signal Hour", "\(marked.json)")
        #expect(try await watched(1) == [true, true, true])
        #expect(try await watched(2) == [false, false])

        // Season 1 finished: season 2's first episode is next up.
        let upNext = "{ upNext(first: 5) { progressState show { id title } episode { seasonNumber episodeNumber title } } }"
        let up = try await f.graphQL(upNext, bearer: bearer)
        #expect(dig(up.json, "data", "upNext", 0, "show", "title") as? String == "Signal Hour", "\(up.json)")
        #expect(dig(up.json, "data", "upNext", 0, "episode", "seasonNumber") as? Int == 2)
        #expect(dig(up.json, "data", "upNext", 0, "episode", "episodeNumber") as? Int == 1)
        #expect(dig(up.json, "data", "upNext", 0, "progressState") as? String == "next")

        let unmark = "mutation($id: ID!, $n: Int!) { markSeasonUnwatched(showId: $id, seasonNumber: $n) { id } }"
        _ = try await f.graphQL(unmark, variables: ["id": show, "n": 1], bearer: bearer)
        #expect(try await watched(1) == [false, false, false])
        let none = try await f.graphQL(upNext, bearer: bearer)
        #expect((dig(none.json, "data", "upNext") as? [Any])?.isEmpty == true)

        let missing = try await f.graphQL(mark, variables: ["id": show, "n": 9], bearer: bearer)
        #expect((missing.json["errors"] as? [Any])?.isEmpty == false)
    }
}
