public import Foundation

// One method per operation of the spec subset (PROTOCOL.md §7, §12.17).
extension APIClient {
    /// One page of movies.
    public func movies(first: Int? = nil, after: String? = nil) async throws -> Connection<Movie> {
        try await perform(Operations.movies(first: first, after: after))
    }

    /// One page of TV shows.
    public func tvShows(first: Int? = nil, after: String? = nil) async throws -> Connection<TvShow> {
        try await perform(Operations.tvShows(first: first, after: after))
    }

    /// One movie, or `nil` when the id is unknown.
    public func movie(id: String) async throws -> Movie? { try await perform(Operations.movie(id: id)) }

    /// One show with seasons and next episode, or `nil`.
    public func tvShow(id: String) async throws -> TvShow? { try await perform(Operations.tvShow(id: id)) }

    /// The episodes of one season.
    public func seasonEpisodes(showId: String, seasonNumber: Int) async throws -> [Episode] {
        try await perform(Operations.seasonEpisodes(showId: showId, seasonNumber: seasonNumber))
    }

    /// One episode, or `nil`.
    public func episode(id: String) async throws -> Episode? { try await perform(Operations.episode(id: id)) }

    /// Title search, in sections.
    public func search(_ query: String, first: Int? = nil) async throws -> SearchResult {
        try await perform(Operations.search(query: query, first: first))
    }

    /// Unfinished items, most recent first.
    public func continueWatching(first: Int? = nil) async throws -> [ContinueItem] {
        try await perform(Operations.continueWatching(first: first))
    }

    /// Newest items first.
    public func recentlyAdded(first: Int? = nil) async throws -> [SearchItem] {
        try await perform(Operations.recentlyAdded(first: first))
    }

    /// The instance's devices; `current` marks this one.
    public func devices() async throws -> [Device] { try await perform(Operations.devices()) }

    /// Version information.
    public func serverCompatibility() async throws -> ServerCompatibility {
        try await perform(Operations.serverCompatibility())
    }

    /// Starts an HLS session.
    public func startStreamingSession(fileId: String, strategy: StreamingStrategy? = nil,
                                      startPosition: Double? = nil) async throws -> StreamingSession {
        try await perform(Operations.startStreamingSession(fileId: fileId, strategy: strategy, startPosition: startPosition))
    }

    /// Ends an HLS session. - Returns: whether the session existed.
    @discardableResult
    public func endStreamingSession(sessionId: String) async throws -> Bool {
        try await perform(Operations.endStreamingSession(sessionId: sessionId))
    }

    /// Reports movie progress.
    @discardableResult
    public func updateMovieProgress(movieId: String, positionSeconds: Double, durationSeconds: Double,
                                    watchedAt: Date? = nil) async throws -> Progress {
        try await perform(Operations.updateMovieProgress(movieId: movieId, positionSeconds: positionSeconds,
                                                         durationSeconds: durationSeconds, watchedAt: watchedAt))
    }

    /// Reports episode progress.
    @discardableResult
    public func updateEpisodeProgress(episodeId: String, positionSeconds: Double, durationSeconds: Double,
                                      watchedAt: Date? = nil) async throws -> Progress {
        try await perform(Operations.updateEpisodeProgress(episodeId: episodeId, positionSeconds: positionSeconds,
                                                           durationSeconds: durationSeconds, watchedAt: watchedAt))
    }

    /// Marks a movie watched or unwatched.
    @discardableResult
    public func markMovieWatched(movieId: String, watched: Bool) async throws -> Progress {
        try await perform(Operations.markMovieWatched(movieId: movieId, watched: watched))
    }

    /// Revokes a device. - Returns: whether it existed.
    @discardableResult
    public func revokeDevice(id: String) async throws -> Bool { try await perform(Operations.revokeDevice(id: id)) }

    /// Every movie, page by page (`pageSize` per request).
    public nonisolated func allMovies(pageSize: Int? = nil) -> ConnectionPages<Movie> {
        ConnectionPages(client: self) { Operations.movies(first: pageSize, after: $0) }
    }

    /// Every TV show, page by page.
    public nonisolated func allTvShows(pageSize: Int? = nil) -> ConnectionPages<TvShow> {
        ConnectionPages(client: self) { Operations.tvShows(first: pageSize, after: $0) }
    }
}
