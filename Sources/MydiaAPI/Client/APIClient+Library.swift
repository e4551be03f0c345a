// The browsing UI's library calls beyond the basic lists (sorted pages, Next up, season marks).
extension APIClient {
    /// One page of movies in `sort` order (a `null` connection is an empty page).
    public func movies(first: Int?, after: String?, sort: ListSort?) async throws -> Connection<Movie> {
        try await perform(Operations.movies(first: first, after: after, sort: sort)) ?? .empty
    }

    /// One page of TV shows in `sort` order.
    public func tvShows(first: Int?, after: String?, sort: ListSort?) async throws -> Connection<TvShow> {
        try await perform(Operations.tvShows(first: first, after: after, sort: sort)) ?? .empty
    }

    /// Next episodes of shows in progress.
    public func upNext(first: Int? = nil) async throws -> [UpNextItem] {
        try await perform(Operations.upNext(first: first)).wrappedValue
    }

    /// Marks a season watched or unwatched. - Returns: whether the server found the show.
    @discardableResult
    public func markSeasonWatched(showId: String, seasonNumber: Int, watched: Bool) async throws -> Bool {
        try await perform(Operations.markSeasonWatched(showId: showId, seasonNumber: seasonNumber, watched: watched)) != nil
    }
}
