
// One method per operation (PROTOCOL.md §14.1). Nullable roots the client cannot do without are
// unwrapped here: a `null` with no `errors` is an answer this client cannot read.
extension APIClient {
    /// One page of movies (a `null` connection is an empty page).
    public func movies(first: Int? = nil, after: String? = nil) async throws -> Connection<Movie> {
        try await perform(Operations.movies(first: first, after: after)) ?? .empty
    }

    /// One page of TV shows.
    public func tvShows(first: Int? = nil, after: String? = nil) async throws -> Connection<TvShow> {
        try await perform(Operations.tvShows(first: first, after: after)) ?? .empty
    }

    /// One movie, or `nil` when the id is unknown.
    public func movie(id: String) async throws -> Movie? { try await perform(Operations.movie(id: id)) }

    /// One show with seasons and next episode, or `nil`.
    public func tvShow(id: String) async throws -> TvShow? { try await perform(Operations.tvShow(id: id)) }

    /// The episodes of one season.
    public func seasonEpisodes(showId: String, seasonNumber: Int) async throws -> [Episode] {
        try await perform(Operations.seasonEpisodes(showId: showId, seasonNumber: seasonNumber)).wrappedValue
    }

    /// One episode, or `nil`.
    public func episode(id: String) async throws -> Episode? { try await perform(Operations.episode(id: id)) }

    /// Title search, in sections.
    public func search(_ query: String, first: Int? = nil) async throws -> SearchResults {
        try await perform(Operations.search(query: query, first: first)) ?? SearchResults(totalCount: 0, sections: [])
    }

    /// Unfinished items, most recent first.
    public func continueWatching(first: Int? = nil) async throws -> [ContinueItem] {
        try await perform(Operations.continueWatching(first: first)).wrappedValue
    }

    /// Newest items first.
    public func recentlyAdded(first: Int? = nil) async throws -> [RecentlyAddedItem] {
        try await perform(Operations.recentlyAdded(first: first)).wrappedValue
    }

    /// The account's devices.
    public func devices() async throws -> [Device] { try await perform(Operations.devices()).wrappedValue }

    /// Version information, or `nil` from a server too old to say.
    public func serverCompatibility() async throws -> ServerCompatibility? {
        try await perform(Operations.serverCompatibility())
    }

    /// How the server can deliver a movie's or episode's file, most preferred first.
    public func streamingCandidates(contentType: String, id: String) async throws -> StreamingCandidates? {
        try await perform(Operations.streamingCandidates(contentType: contentType, id: id))
    }

    /// Starts an HLS session (FULL playlist asked for; read `mode` back).
    public func startStreamingSession(fileId: String, strategy: StreamingStrategy,
                                      startPosition: Int? = nil) async throws -> StreamingSession {
        let operation = Operations.startStreamingSession(fileId: fileId, strategy: strategy, startPosition: startPosition)
        guard let session = try await perform(operation) else { throw Error.invalidResponse(operation.name) }
        return session
    }

    /// Ends an HLS session. - Returns: whether the session existed.
    @discardableResult
    public func endStreamingSession(sessionId: String) async throws -> Bool {
        try await perform(Operations.endStreamingSession(sessionId: sessionId)) ?? false
    }

    /// Reports movie progress, whole seconds.
    @discardableResult
    public func updateMovieProgress(movieId: String, positionSeconds: Int, durationSeconds: Int?) async throws -> Progress? {
        try await perform(Operations.updateMovieProgress(movieId: movieId, positionSeconds: positionSeconds,
                                                         durationSeconds: durationSeconds))
    }

    /// Reports episode progress, whole seconds.
    @discardableResult
    public func updateEpisodeProgress(episodeId: String, positionSeconds: Int, durationSeconds: Int?) async throws -> Progress? {
        try await perform(Operations.updateEpisodeProgress(episodeId: episodeId, positionSeconds: positionSeconds,
                                                           durationSeconds: durationSeconds))
    }

    /// Marks a movie watched or unwatched. - Returns: its progress afterwards.
    @discardableResult
    public func markMovieWatched(movieId: String, watched: Bool) async throws -> Progress? {
        try await perform(Operations.markMovieWatched(movieId: movieId, watched: watched))?.progress
    }

    /// Marks an episode watched or unwatched. - Returns: its progress afterwards.
    @discardableResult
    public func markEpisodeWatched(episodeId: String, watched: Bool) async throws -> Progress? {
        try await perform(Operations.markEpisodeWatched(episodeId: episodeId, watched: watched))?.progress
    }

    /// Revokes a device. - Returns: whether it existed.
    @discardableResult
    public func revokeDevice(id: String) async throws -> Bool {
        try await perform(Operations.revokeDevice(id: id))?.success ?? false
    }

    /// Every movie, page by page (`pageSize` per request).
    public nonisolated func allMovies(pageSize: Int? = nil) -> ConnectionPages<Movie> {
        ConnectionPages(client: self) { Operations.movies(first: pageSize, after: $0) }
    }

    /// Every TV show, page by page.
    public nonisolated func allTvShows(pageSize: Int? = nil) -> ConnectionPages<TvShow> {
        ConnectionPages(client: self) { Operations.tvShows(first: pageSize, after: $0) }
    }
}
