import MydiaConnection
import Foundation
import MydiaAPI
import Testing

@Suite struct OperationsTests {
    @Test func absentOptionalArgumentsAreLeftOutAndPositionsAreWholeSeconds() {
        #expect(Operations.movies().variables.isEmpty)
        #expect(Operations.movies(first: 5, after: "c").variables == ["first": .int(5), "after": .string("c")])
        let progress = Operations.updateEpisodeProgress(episodeId: "e", positionSeconds: 1, durationSeconds: nil)
        #expect(progress.variables == ["episodeId": .string("e"), "positionSeconds": .int(1)])
        #expect(Operations.updateMovieProgress(movieId: "m", positionSeconds: 1, durationSeconds: 2).variables["durationSeconds"] == .int(2))
        #expect(Operations.startStreamingSession(fileId: "f", strategy: .transcode).variables["strategy"] == .string("TRANSCODE"))
    }

    @Test func theOlderGenerationsFormDropsWhatItLacks() throws {
        let start = Operations.startStreamingSession(fileId: "f", strategy: .hlsCopy, startPosition: 30)
        #expect(start.variables["playlistMode"] == .string("FULL") && start.variables["startPosition"] == .int(30))
        let legacy = try #require(start.legacy)
        #expect(legacy.variables == ["fileId": .string("f"), "strategy": .string("HLS_COPY")])
        #expect(!legacy.document.contains("playlistMode") && !legacy.document.contains("startPosition"))
        #expect(Operations.search(query: "x").legacy?.document.contains("sections") == false)
        #expect(Operations.refreshMediaToken(token: "t").legacy == nil && Operations.movie(id: "m").legacy != nil)
    }

    @Test func queriesAreIdempotentAndMutationsAreNot() {
        #expect(Operations.movies().isQuery && Operations.search(query: "x").isQuery && Operations.devices().isQuery)
        #expect(!Operations.updateMovieProgress(movieId: "m", positionSeconds: 1, durationSeconds: 2).isQuery)
        #expect(!Operations.startStreamingSession(fileId: "f", strategy: .hlsCopy).isQuery && !Operations.revokeDevice(id: "d").isQuery)
    }

    @Test func anOlderServersFlatSearchIsGroupedIntoSections() throws {
        let body = #"{"data":{"search":{"totalCount":3,"results":[{"id":"m1","type":"MOVIE","title":"A","year":1999},"#
            + #"{"id":"s1","type":"TV_SHOW","title":"B","year":null},{"id":"m2","type":"MOVIE","title":"C\u001b[2J","year":2001}]}}}"#
        let result = try #require(try APIClient.decode(APIReply(status: 200, headers: [:], body: Array(body.utf8)),
                                                       Operations.search(query: "x")))
        #expect(result.totalCount == 3 && result.sections.map(\.type) == ["MOVIE", "TV_SHOW"])
        #expect(result.sections[0].results.map(\.id) == ["m1", "m2"] && result.sections[0].totalCount == 2)
        #expect(result.sections[0].results[1].title == "C[2J")  // sanitised while decoding
        #expect(result.sections[1].results[0].kind == .show)
    }
}
