import MydiaConnection
import Foundation
import MydiaAPI
import MydiaTestSupport
import Testing

/// Every catalog operation against the real server and sample library (3 movies, 1 show with
/// seasons of 3 and 2 episodes).
@Suite struct APIClientCatalogTests {
    @Test func movieAndShowConnectionsWalkEveryPage() async throws {
        try await withTimeout(.seconds(30)) {
            try await PairedClient.with { p in
                var pages = 0
                var movies: [Movie] = []
                var total = -1
                for try await page in p.client.allMovies(pageSize: 1) {
                    pages += 1
                    total = page.totalCount
                    movies += page.nodes
                    #expect(page.edges.count == 1)
                }
                #expect(pages == 3 && total == 3)
                #expect(Set(movies.map(\.id)).count == 3)
                #expect(Set(movies.map(\.title)).isSuperset(of: ["Amélie à Paris", "東京物語", "Big Test Pattern"]))
                #expect(movies.allSatisfy { !$0.files.isEmpty && ($0.files[0].duration ?? 0) > 1 && ($0.files[0].size ?? 0) > 0 })
                #expect(p.transport.exchanges.filter { $0.operationName == "Movies" }.count == 3)

                let firstTwo = try await p.client.movies(first: 2)
                #expect(firstTwo.pageInfo.hasNextPage && firstTwo.edges.count == 2)
                let rest = try await p.client.movies(first: 2, after: firstTwo.pageInfo.endCursor)
                #expect(!rest.pageInfo.hasNextPage && rest.nodes.map(\.id) == [movies[2].id])

                let shows = try await p.client.allTvShows(pageSize: 1).collect()
                #expect(shows.map(\.title) == ["Signal Hour"])
            }
        }
    }

    @Test func showDetailSeasonsEpisodesAndMovieLookups() async throws {
        try await withTimeout(.seconds(30)) {
            try await PairedClient.with { p in
                let listed = try await p.client.tvShows().nodes
                let listedShow = try #require(listed.first)
                let show = try #require(try await p.client.tvShow(id: listedShow.id))
                #expect(show.title == "Signal Hour" && show.year == 2021 && show.status == "ended")
                #expect(show.seasons.map(\.seasonNumber) == [1, 2] && show.seasons.map(\.episodeCount) == [3, 2])
                #expect(show.seasonCount == 2 && show.episodeCount == 5)
                let next = try #require(show.nextEpisode)
                #expect(next.seasonNumber == 1 && next.episodeNumber == 1 && next.title == "Pilot")

                let season2 = try await p.client.seasonEpisodes(showId: show.id, seasonNumber: 2)
                #expect(season2.map(\.title) == ["Return", "Finale"] && season2.allSatisfy { $0.showId == show.id })
                let finale = try #require(try await p.client.episode(id: season2[1].id))
                #expect(finale.episodeNumber == 2 && finale.files.count == 1)

                let movie = try #require(try await p.client.movies().nodes.first { $0.title == "Amélie à Paris" })
                let detail = try #require(try await p.client.movie(id: movie.id))
                #expect(detail.year == 2001 && detail.genreNames == ["Comédie", "Romance"])
                #expect(detail.overview?.contains("jeune femme") == true)
                #expect(try await p.client.movie(id: "no-such-movie") == nil)
                #expect(try await p.client.episode(id: "no-such-episode") == nil)
                #expect(try await p.client.tvShow(id: "no-such-show") == nil)
            }
        }
    }

    @Test func searchFindsAccentedAndCJKTitles() async throws {
        try await withTimeout(.seconds(30)) {
            try await PairedClient.with { p in
                let accented = try await p.client.search("amélie")
                let hit = try #require(accented.sections.first { $0.type == "MOVIE" }?.results.first)
                #expect(hit.title == "Amélie à Paris" && hit.kind == .movie && hit.year == 2001)

                let cjk = try await p.client.search("東京")
                #expect(cjk.totalCount == 1 && cjk.sections.flatMap(\.results).map(\.title) == ["東京物語"])

                let show = try await p.client.search("signal")
                let kinds = Set(show.sections.flatMap(\.results).compactMap(\.kind))
                #expect(kinds.contains(.show))

                #expect(try await p.client.search("zzzz-nothing").totalCount == 0)
                let recent = try await p.client.recentlyAdded(first: 2)
                #expect(recent.count == 2 && recent.allSatisfy { $0.kind != nil })
            }
        }
    }

    @Test func continueWatchingShowsAnItemAfterAProgressUpdate() async throws {
        try await withTimeout(.seconds(30)) {
            try await PairedClient.with { p in
                #expect(try await p.client.continueWatching().isEmpty)
                let movie = try #require(try await p.client.movies().nodes.first { $0.title == "Big Test Pattern" })
                let progress = try #require(try await p.client.updateMovieProgress(movieId: movie.id, positionSeconds: 1, durationSeconds: 20))
                #expect(progress.positionSeconds == 1 && progress.durationSeconds == 20 && !progress.watched && progress.lastWatchedAt != nil)

                let items = try await p.client.continueWatching()
                let item = try #require(items.first { $0.id == movie.id })
                #expect(item.kind == .movie && item.title == "Big Test Pattern" && item.progress?.positionSeconds == 1)
                #expect(!item.files.isEmpty)

                // Without `durationSeconds` the stored duration stays (§14.1: it is optional).
                let noDuration = try #require(try await p.client.updateMovieProgress(movieId: movie.id, positionSeconds: 2, durationSeconds: nil))
                #expect(noDuration.positionSeconds == 2 && noDuration.durationSeconds == 20)

                let episode = try #require(try await p.client.tvShows().nodes.first?.nextEpisode)
                #expect(episode.show?.title == "Signal Hour")
                _ = try await p.client.updateEpisodeProgress(episodeId: episode.id, positionSeconds: 1, durationSeconds: 2)
                let withEpisode = try await p.client.continueWatching()
                let ep = try #require(withEpisode.first { $0.id == episode.id })
                #expect(ep.kind == .episode && ep.showTitle == "Signal Hour" && ep.seasonNumber == 1 && ep.episodeNumber == 1)

                let watched = try await p.client.markMovieWatched(movieId: movie.id, watched: true)
                #expect(watched?.watched == true)
                #expect(try await p.client.continueWatching().contains { $0.id == movie.id } == false)
            }
        }
    }

    @Test func streamingSessionStartsServesAPlaylistAndEnds() async throws {
        try await withTimeout(.seconds(45)) {
            try await PairedClient.with { p in
                let movie = try #require(try await p.client.movies().nodes.first { $0.title == "Big Test Pattern" })
                let file = try #require(movie.files.first)
                let session = try await p.client.startStreamingSession(fileId: file.id, strategy: .hlsCopy, startPosition: 1)
                // A FULL playlist covers the file from media time 0: the stream starts at 0 (§14.1).
                #expect(session.mode == .full && session.offset == 0 && (session.duration ?? 0) > 1)

                let playlist = try await p.transport.send(APIRequestSpec(
                    method: "GET", path: "/api/v1/hls/\(session.sessionId)/index.m3u8",
                    headers: ["Authorization": "Bearer \(p.credentials.accessToken)"]))
                #expect(playlist.status == 200)
                #expect(String(decoding: playlist.body, as: UTF8.self).hasPrefix("#EXTM3U"))

                #expect(try await p.client.endStreamingSession(sessionId: session.sessionId))
                let gone = try await p.transport.send(APIRequestSpec(
                    method: "GET", path: "/api/v1/hls/\(session.sessionId)/index.m3u8",
                    headers: ["Authorization": "Bearer \(p.credentials.accessToken)"]))
                #expect(gone.status == 404)

                await #expect { try await p.client.startStreamingSession(fileId: "no-such-file", strategy: .hlsCopy) } throws: { error in
                    guard case .graphQL(let messages) = error as? APIClient.Error else { return false }
                    return !messages.isEmpty
                }
            }
        }
    }
}
