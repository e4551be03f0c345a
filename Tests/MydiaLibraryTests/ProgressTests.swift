import Foundation
import MydiaLibrary
import Testing

@Suite struct ProgressTests {
    @Test func olderUpdatesAreIgnored() async throws {
        let f = try await Fixture.make()
        let movie = try #require(try await f.library.movies().first)
        let t0 = f.clock.now()
        let first = try await f.library.updateProgress(itemID: movie.id, position: 50, duration: 100, watchedAt: t0)
        #expect(first.position == 50)
        let stale = try await f.library.updateProgress(itemID: movie.id, position: 10, duration: 100,
                                                       watchedAt: t0.addingTimeInterval(-5))
        #expect(stale == first)
        let newer = try await f.library.updateProgress(itemID: movie.id, position: 20, duration: 100,
                                                       watchedAt: t0.addingTimeInterval(5))
        #expect(newer.position == 20)
        #expect(try await f.library.progress(itemID: movie.id)?.position == 20)

        // A device whose clock runs a day ahead cannot lock out everyone else.
        f.clock.advance(10)
        let future = try await f.library.updateProgress(itemID: movie.id, position: 70, duration: 100,
                                                        watchedAt: f.clock.now().addingTimeInterval(86_400))
        #expect(future.lastWatchedAt == f.clock.now())
        f.clock.advance(1)
        #expect(try await f.library.updateProgress(itemID: movie.id, position: 75, duration: 100).position == 75)
    }

    @Test func pastNinetyPercentCountsAsWatched() async throws {
        let f = try await Fixture.make()
        let movie = try #require(try await f.library.movies().first)
        let below = try await f.library.updateProgress(itemID: movie.id, position: 89.9, duration: 100)
        #expect(!below.watched)
        #expect(abs(below.percentage - 89.9) < 0.0001)
        f.clock.advance(1)
        let above = try await f.library.updateProgress(itemID: movie.id, position: 90, duration: 100)
        #expect(above.watched)
        f.clock.advance(1)
        let cleared = try await f.library.setWatched(itemID: movie.id, watched: false)
        #expect(!cleared.watched && cleared.position == 0)
        f.clock.advance(1)
        let marked = try await f.library.setWatched(itemID: movie.id, watched: true)
        #expect(marked.watched && marked.percentage == 100)
    }

    @Test func invalidProgressIsRefused() async throws {
        let f = try await Fixture.make()
        let movie = try #require(try await f.library.movies().first)
        await #expect(throws: MediaLibrary.ProgressError.itemNotFound("nope")) {
            try await f.library.updateProgress(itemID: "nope", position: 1, duration: 2)
        }
        await #expect(throws: MediaLibrary.ProgressError.self) {
            try await f.library.updateProgress(itemID: movie.id, position: .nan, duration: 2)
        }
        await #expect(throws: MediaLibrary.ProgressError.self) {
            try await f.library.updateProgress(itemID: movie.id, position: 1, duration: -2)
        }
    }

    @Test func continueWatchingIsMostRecentFirstAndSkipsFinished() async throws {
        let f = try await Fixture.make()
        let movies = try await f.library.movies()
        let show = try #require(try await f.library.shows().first)
        let episodes = try await f.library.episodes(showID: show.id)
        _ = try await f.library.updateProgress(itemID: movies[0].id, position: 30, duration: 100)
        f.clock.advance(10)
        _ = try await f.library.updateProgress(itemID: episodes[1].id, position: 40, duration: 100)
        f.clock.advance(10)
        _ = try await f.library.updateProgress(itemID: movies[1].id, position: 95, duration: 100)  // finished
        f.clock.advance(10)
        _ = try await f.library.updateProgress(itemID: movies[2].id, position: 0, duration: 100)   // not started
        let items = try await f.library.continueWatching(limit: 10)
        #expect(items.map(\.item.id) == [episodes[1].id, movies[0].id])
        #expect(try await f.library.continueWatching(limit: 1).map(\.item.id) == [episodes[1].id])
    }
}
