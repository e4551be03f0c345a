import Foundation
import MydiaLibrary
import MydiaWire
import Testing

@Suite struct GraphQLCatalogTests {
    @Test func movieDetailHasFilesAndNullableFields() async throws {
        let f = try await Fixture.make()
        let (_, bearer, _) = try await f.pairedDevice()
        let movie = try #require(try await f.library.movies().first { $0.year == 1953 })
        let r = try await f.graphQL("""
            query($id: ID!) { movie(id: $id) { id title year overview runtime genres
              artwork { posterUrl thumbnailUrl } progress { watched }
              files { id resolution codec audioCodec size bitrate duration } } }
            """, variables: ["id": movie.id], bearer: bearer)
        #expect(r.status == 200)
        #expect(r.json["errors"] == nil)
        let m = try #require(dig(r.json, "data", "movie") as? [String: Any])
        #expect(m["title"] as? String == "東京物語")
        #expect(m["genres"] as? [String] == ["Drama"])
        #expect(m["runtime"] as? Int == 1)
        // The poster at this server's artwork route (instance-relative, fetched with the bearer).
        let artwork = try #require(m["artwork"] as? [String: Any])
        #expect(artwork["posterUrl"] as? String == "/api/v1/artwork/movie/\(movie.id)/poster")
        #expect(artwork["thumbnailUrl"] is NSNull)
        #expect(m["progress"] is NSNull)
        let file = try #require((m["files"] as? [[String: Any]])?.first)
        #expect(file["codec"] as? String == "h264")
        #expect(file["audioCodec"] as? String == "aac")
        #expect(file["resolution"] as? String == "240p")
        #expect(((file["size"] as? Double) ?? 0) > 1000)
        let missing = try await f.graphQL("{ movie(id: \"nope\") { id } }", bearer: bearer)
        #expect(dig(missing.json, "data", "movie") is NSNull)
    }

    @Test func showsHaveSeasonsEpisodesAndNextEpisode() async throws {
        let f = try await Fixture.make()
        let (_, bearer, _) = try await f.pairedDevice()
        let show = try #require(try await f.library.shows().first)
        let episodes = try await f.library.episodes(showID: show.id)
        let query = """
            query($id: ID!) { tvShow(id: $id) { id title year status seasonCount episodeCount
              seasons { seasonNumber episodeCount } nextEpisode { id title seasonNumber episodeNumber } } }
            """
        let r = try await f.graphQL(query, variables: ["id": show.id], bearer: bearer)
        #expect(dig(r.json, "data", "tvShow", "seasonCount") as? Int == 2)
        #expect(dig(r.json, "data", "tvShow", "episodeCount") as? Int == 5)
        #expect(dig(r.json, "data", "tvShow", "seasons", 1, "episodeCount") as? Int == 2)
        #expect(dig(r.json, "data", "tvShow", "nextEpisode", "title") as? String == "Pilot")

        // Finish episode 1x3: next is 2x1.
        let watch = try await f.graphQL("""
            mutation($id: ID!) { updateEpisodeProgress(episodeId: $id, positionSeconds: 2, durationSeconds: 2) {
              positionSeconds durationSeconds percentage watched lastWatchedAt } }
            """, variables: ["id": episodes[2].id], bearer: bearer)
        #expect(dig(watch.json, "data", "updateEpisodeProgress", "watched") as? Bool == true)
        #expect(dig(watch.json, "data", "updateEpisodeProgress", "lastWatchedAt") as? String
            == WireTime.format(f.clock.now()))
        let after = try await f.graphQL(query, variables: ["id": show.id], bearer: bearer)
        #expect(dig(after.json, "data", "tvShow", "nextEpisode", "id") as? String == episodes[3].id)

        let season = try await f.graphQL("""
            query($id: ID!) { seasonEpisodes(showId: $id, seasonNumber: 2) { id show { id } title episodeNumber runtime } }
            """, variables: ["id": show.id], bearer: bearer)
        #expect((dig(season.json, "data", "seasonEpisodes") as? [[String: Any]])?.map { $0["title"] as? String }
            == ["Return", "Finale"])
        let episode = try await f.graphQL("query($id: ID!) { episode(id: $id) { title overview airDate show { id title } } }",
                                          variables: ["id": episodes[0].id], bearer: bearer)
        #expect(dig(episode.json, "data", "episode", "airDate") as? String == "2021-03-01")
        #expect(dig(episode.json, "data", "episode", "show", "id") as? String == show.id)
        #expect(dig(episode.json, "data", "episode", "show", "title") as? String == "Signal Hour")

        let shows = try await f.graphQL("{ tvShows(first: 5) { totalCount edges { node { title } } } }", bearer: bearer)
        #expect(dig(shows.json, "data", "tvShows", "edges", 0, "node", "title") as? String == "Signal Hour")
    }

    @Test func progressMutationsTakeWholeSecondsAndFeedContinueWatching() async throws {
        let f = try await Fixture.make()
        let (_, bearer, _) = try await f.pairedDevice()
        let movie = try #require(try await f.library.movies().first)
        let show = try #require(try await f.library.shows().first)
        let episode = try #require(try await f.library.episodes(showID: show.id).last)
        let update = """
            mutation($id: ID!, $p: Int!) {
              updateMovieProgress(movieId: $id, positionSeconds: $p, durationSeconds: 100) { positionSeconds durationSeconds } }
            """
        _ = try await f.graphQL(update, variables: ["id": movie.id, "p": 5], bearer: bearer)
        // The order of arrival is the order (§14.1: the client never sends an older report after a newer one).
        let later = try await f.graphQL(update, variables: ["id": movie.id, "p": 40], bearer: bearer)
        #expect(dig(later.json, "data", "updateMovieProgress", "positionSeconds") as? Int == 40)
        #expect(dig(later.json, "data", "updateMovieProgress", "durationSeconds") as? Int == 100)
        let fraction = try await f.graphQL(update, variables: ["id": movie.id, "p": 1.5], bearer: bearer)
        #expect((fraction.json["errors"] as? [Any])?.isEmpty == false)  // Int! refuses 1.5
        let negative = try await f.graphQL(update, variables: ["id": movie.id, "p": -1], bearer: bearer)
        #expect((negative.json["errors"] as? [Any])?.isEmpty == false)

        f.clock.advance(30)
        _ = try await f.graphQL("""
            mutation($id: ID!) { updateEpisodeProgress(episodeId: $id, positionSeconds: 1, durationSeconds: 2) { watched } }
            """, variables: ["id": episode.id], bearer: bearer)
        let cw = try await f.graphQL("""
            { continueWatching { id type title showId showTitle seasonNumber episodeNumber
              progress { positionSeconds percentage } files { id } } }
            """, bearer: bearer)
        let items = try #require(dig(cw.json, "data", "continueWatching") as? [[String: Any]])
        #expect(items.map { $0["type"] as? String } == ["EPISODE", "MOVIE"])
        #expect(items[0]["showTitle"] as? String == "Signal Hour")
        #expect(items[0]["seasonNumber"] as? Int == 2)
        #expect(items[1]["showId"] is NSNull)
        #expect(dig(items[1], "progress", "percentage") as? Double == 40)
        #expect((items[0]["files"] as? [Any])?.count == 1)

        f.clock.advance(30)
        let marked = try await f.graphQL("mutation($id: ID!) { markMovieWatched(movieId: $id) { id progress { watched } } }",
                                         variables: ["id": movie.id], bearer: bearer)
        #expect(dig(marked.json, "data", "markMovieWatched", "progress", "watched") as? Bool == true)
        let cw2 = try await f.graphQL("{ continueWatching { id } }", bearer: bearer)
        #expect((dig(cw2.json, "data", "continueWatching") as? [Any])?.count == 1)

        let recent = try await f.graphQL("{ recentlyAdded(first: 10) { id type title addedAt latestSeasonNumber latestEpisodeNumber } }",
                                         bearer: bearer)
        let recentItems = try #require(dig(recent.json, "data", "recentlyAdded") as? [[String: Any]])
        #expect(Set(recentItems.compactMap { $0["type"] as? String }) == ["MOVIE", "TV_SHOW"])
        #expect(recentItems.count == 4)
        let showItem = try #require(recentItems.first { $0["type"] as? String == "TV_SHOW" })
        #expect(showItem["latestSeasonNumber"] as? Int == 2 && showItem["latestEpisodeNumber"] as? Int == 2)
        let moviesOnly = try await f.graphQL("{ recentlyAdded(first: 10, types: [MOVIE]) { type } }", bearer: bearer)
        #expect((dig(moviesOnly.json, "data", "recentlyAdded") as? [[String: Any]])?.allSatisfy { $0["type"] as? String == "MOVIE" } == true)
    }

    @Test func streamingSessionsDelegateToTheProvider() async throws {
        let provider = RecordingProvider()
        let f = try await Fixture.make(streaming: provider)
        let (_, bearer, _) = try await f.pairedDevice()
        let movie = try #require(try await f.library.movies().first)
        let file = try #require(try await f.library.files(itemID: movie.id).first)
        let start = try await f.graphQL("""
            mutation($id: ID!) { startStreamingSession(fileId: $id, strategy: TRANSCODE, startPosition: 1, playlistMode: FULL) {
              sessionId duration startPosition playlistMode } }
            """, variables: ["id": file.id], bearer: bearer)
        #expect(dig(start.json, "data", "startStreamingSession", "sessionId") as? String == "session-1")
        #expect(dig(start.json, "data", "startStreamingSession", "startPosition") as? Int == 0)
        #expect(dig(start.json, "data", "startStreamingSession", "playlistMode") as? String == "FULL")
        let started = await provider.started
        #expect(started.first?.0 == file.url)
        #expect(started.first?.1 == .transcode && started.first?.2 == 1)
        let end = try await f.graphQL("mutation { endStreamingSession(sessionId: \"session-1\") }", bearer: bearer)
        #expect(dig(end.json, "data", "endStreamingSession") as? Bool == true)
        let unknown = try await f.graphQL("mutation { startStreamingSession(fileId: \"nope\", strategy: HLS_COPY) { sessionId } }", bearer: bearer)
        #expect((unknown.json["errors"] as? [Any])?.isEmpty == false)
    }
}

/// The HLS side as the server would wire it, reduced to recording what it was asked.
actor RecordingProvider: StreamingSessionProvider {
    var started: [(URL, StreamingStrategyChoice?, Double?)] = []
    var sessions: Set<String> = []

    func start(file: MediaFileRecord, strategy: StreamingStrategyChoice?, startPosition: Double?, maxHeight: Int?) async throws
        -> StartedStreamingSession
    {
        started.append((file.url, strategy, startPosition))
        let id = "session-\(started.count)"
        sessions.insert(id)
        return StartedStreamingSession(sessionID: id, duration: file.duration, startPosition: startPosition ?? 0)
    }

    func end(sessionID: String) async throws -> Bool { sessions.remove(sessionID) != nil }
}
