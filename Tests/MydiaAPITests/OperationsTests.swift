import MydiaConnection
import Foundation
import MydiaAPI
import Testing

@Suite struct OperationsTests {
    @Test func absentOptionalArgumentsAreLeftOutAndTimesAreRFC3339() {
        #expect(Operations.movies().variables.isEmpty)
        #expect(Operations.movies(first: 5, after: "c").variables == ["first": .int(5), "after": .string("c")])
        let progress = Operations.updateEpisodeProgress(episodeId: "e", positionSeconds: 1.5, durationSeconds: 3,
                                                        watchedAt: Date(timeIntervalSince1970: 1_893_456_000))
        #expect(progress.variables["watchedAt"] == .string("2030-01-01T00:00:00Z"))
        #expect(Operations.updateMovieProgress(movieId: "m", positionSeconds: 1, durationSeconds: 2).variables["watchedAt"] == nil)
        #expect(Operations.startStreamingSession(fileId: "f", strategy: .transcode).variables["strategy"] == .string("TRANSCODE"))
    }

    @Test func queriesAreIdempotentAndMutationsAreNot() {
        #expect(Operations.movies().isQuery && Operations.search(query: "x").isQuery && Operations.devices().isQuery)
        #expect(!Operations.updateMovieProgress(movieId: "m", positionSeconds: 1, durationSeconds: 2).isQuery)
        #expect(!Operations.startStreamingSession(fileId: "f").isQuery && !Operations.revokeDevice(id: "d").isQuery)
    }
}
