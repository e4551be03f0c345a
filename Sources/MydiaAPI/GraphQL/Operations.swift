public import Foundation
import MydiaWire

/// The typed GraphQL operations of the spec subset (PROTOCOL.md §7, §12.17). Each returns a
/// `GraphQLOperation` whose result type matches the root field's nullability.
public enum Operations {
    private static func optional(_ value: Int?) -> GraphQLValue? { value.map(GraphQLValue.int) }

    private static func vars(_ pairs: [(String, GraphQLValue?)]) -> [String: GraphQLValue] {
        var out: [String: GraphQLValue] = [:]
        for (key, value) in pairs { if let value { out[key] = value } }
        return out
    }

    /// One page of movies; `first` omitted = the server's default (50, capped at 100, §11.15).
    public static func movies(first: Int? = nil, after: String? = nil) -> GraphQLOperation<Connection<Movie>> {
        GraphQLOperation(name: "Movies", rootField: "movies", document: """
            query Movies($first: Int, $after: String) { movies(first: $first, after: $after) \
            { edges { node { \(Selections.movie) } cursor } \(Selections.pageInfo) } }
            """, variables: vars([("first", optional(first)), ("after", after.map(GraphQLValue.string))]))
    }

    /// One page of TV shows.
    public static func tvShows(first: Int? = nil, after: String? = nil) -> GraphQLOperation<Connection<TvShow>> {
        GraphQLOperation(name: "TvShows", rootField: "tvShows", document: """
            query TvShows($first: Int, $after: String) { tvShows(first: $first, after: $after) \
            { edges { node { \(Selections.show) } cursor } \(Selections.pageInfo) } }
            """, variables: vars([("first", optional(first)), ("after", after.map(GraphQLValue.string))]))
    }

    /// One movie, or `nil` when the id is unknown.
    public static func movie(id: String) -> GraphQLOperation<Movie?> {
        GraphQLOperation(name: "Movie", rootField: "movie",
                         document: "query Movie($id: ID!) { movie(id: $id) { \(Selections.movie) } }",
                         variables: ["id": .string(id)])
    }

    /// One show with its seasons and next episode, or `nil`.
    public static func tvShow(id: String) -> GraphQLOperation<TvShow?> {
        GraphQLOperation(name: "TvShow", rootField: "tvShow",
                         document: "query TvShow($id: ID!) { tvShow(id: $id) { \(Selections.show) } }",
                         variables: ["id": .string(id)])
    }

    /// The episodes of one season, in order.
    public static func seasonEpisodes(showId: String, seasonNumber: Int) -> GraphQLOperation<[Episode]> {
        GraphQLOperation(name: "SeasonEpisodes", rootField: "seasonEpisodes", document: """
            query SeasonEpisodes($showId: ID!, $seasonNumber: Int!) \
            { seasonEpisodes(showId: $showId, seasonNumber: $seasonNumber) { \(Selections.episode) } }
            """, variables: ["showId": .string(showId), "seasonNumber": .int(seasonNumber)])
    }

    /// One episode, or `nil`.
    public static func episode(id: String) -> GraphQLOperation<Episode?> {
        GraphQLOperation(name: "Episode", rootField: "episode",
                         document: "query Episode($id: ID!) { episode(id: $id) { \(Selections.episode) } }",
                         variables: ["id": .string(id)])
    }

    /// Search by title, grouped in sections.
    public static func search(query: String, first: Int? = nil) -> GraphQLOperation<SearchResult> {
        GraphQLOperation(name: "Search", rootField: "search", document: """
            query Search($query: String!, $first: Int) { search(query: $query, first: $first) \
            { totalCount sections { type totalCount results { \(Selections.searchItem) } } } }
            """, variables: vars([("query", .string(query)), ("first", optional(first))]))
    }

    /// Items with progress that are not finished, most recent first.
    public static func continueWatching(first: Int? = nil) -> GraphQLOperation<[ContinueItem]> {
        GraphQLOperation(name: "ContinueWatching", rootField: "continueWatching", document: """
            query ContinueWatching($first: Int) { continueWatching(first: $first) { \(Selections.continueItem) } }
            """, variables: vars([("first", optional(first))]))
    }

    /// Newest items first (§12.17).
    public static func recentlyAdded(first: Int? = nil) -> GraphQLOperation<[SearchItem]> {
        GraphQLOperation(name: "RecentlyAdded", rootField: "recentlyAdded", document: """
            query RecentlyAdded($first: Int) { recentlyAdded(first: $first) { \(Selections.searchItem) } }
            """, variables: vars([("first", optional(first))]))
    }

    /// The instance's paired devices, `current` marking this one.
    public static func devices() -> GraphQLOperation<[Device]> {
        GraphQLOperation(name: "Devices", rootField: "devices",
                         document: "query Devices { devices { \(Selections.device) } }")
    }

    /// Version information (needs no bearer, §11.14).
    public static func serverCompatibility() -> GraphQLOperation<ServerCompatibility> {
        GraphQLOperation(name: "ServerCompatibility", rootField: "serverCompatibility",
                         document: "query ServerCompatibility { serverCompatibility { version minPlayerVersion } }")
    }

    /// Starts an HLS session for a file.
    public static func startStreamingSession(fileId: String, strategy: StreamingStrategy? = nil,
                                             startPosition: Double? = nil) -> GraphQLOperation<StreamingSession> {
        GraphQLOperation(name: "StartStreamingSession", rootField: "startStreamingSession", document: """
            mutation StartStreamingSession($fileId: ID!, $strategy: StreamingStrategy, $startPosition: Float) \
            { startStreamingSession(fileId: $fileId, strategy: $strategy, startPosition: $startPosition) \
            { sessionId duration startPosition } }
            """, variables: vars([("fileId", .string(fileId)), ("strategy", strategy.map { .string($0.rawValue) }),
                                  ("startPosition", startPosition.map(GraphQLValue.double))]))
    }

    /// Ends an HLS session.
    public static func endStreamingSession(sessionId: String) -> GraphQLOperation<Bool> {
        GraphQLOperation(name: "EndStreamingSession", rootField: "endStreamingSession", document: """
            mutation EndStreamingSession($sessionId: ID!) { endStreamingSession(sessionId: $sessionId) }
            """, variables: ["sessionId": .string(sessionId)])
    }

    /// Reports movie progress; `watchedAt` (RFC 3339 on the wire) lets a late report lose to a newer one.
    public static func updateMovieProgress(movieId: String, positionSeconds: Double, durationSeconds: Double,
                                           watchedAt: Date? = nil) -> GraphQLOperation<Progress> {
        progress(name: "UpdateMovieProgress", field: "updateMovieProgress", idName: "movieId", id: movieId,
                 position: positionSeconds, duration: durationSeconds, watchedAt: watchedAt)
    }

    /// Reports episode progress.
    public static func updateEpisodeProgress(episodeId: String, positionSeconds: Double, durationSeconds: Double,
                                             watchedAt: Date? = nil) -> GraphQLOperation<Progress> {
        progress(name: "UpdateEpisodeProgress", field: "updateEpisodeProgress", idName: "episodeId", id: episodeId,
                 position: positionSeconds, duration: durationSeconds, watchedAt: watchedAt)
    }

    private static func progress(name: String, field: String, idName: String, id: String, position: Double,
                                 duration: Double, watchedAt: Date?) -> GraphQLOperation<Progress> {
        GraphQLOperation(name: name, rootField: field, document: """
            mutation \(name)($\(idName): ID!, $positionSeconds: Float!, $durationSeconds: Float!, $watchedAt: String) \
            { \(field)(\(idName): $\(idName), positionSeconds: $positionSeconds, durationSeconds: $durationSeconds, \
            watchedAt: $watchedAt) { \(Selections.progress) } }
            """, variables: vars([(idName, .string(id)), ("positionSeconds", .double(position)),
                                  ("durationSeconds", .double(duration)),
                                  ("watchedAt", watchedAt.map { .string(WireTime.format($0)) })]))
    }

    /// Marks a movie watched or unwatched.
    public static func markMovieWatched(movieId: String, watched: Bool) -> GraphQLOperation<Progress> {
        GraphQLOperation(name: "MarkMovieWatched", rootField: "markMovieWatched", document: """
            mutation MarkMovieWatched($movieId: ID!, $watched: Boolean!) \
            { markMovieWatched(movieId: $movieId, watched: $watched) { \(Selections.progress) } }
            """, variables: ["movieId": .string(movieId), "watched": .bool(watched)])
    }

    /// A new access token for the device the device token names (needs no bearer, §11.3).
    public static func refreshAccessToken(deviceToken: String) -> GraphQLOperation<TokenResult> {
        GraphQLOperation(name: "RefreshAccessToken", rootField: "refreshAccessToken", document: """
            mutation RefreshAccessToken($deviceToken: String!) { refreshAccessToken(deviceToken: $deviceToken) \
            { \(Selections.token) } }
            """, variables: ["deviceToken": .string(deviceToken)])
    }

    /// A new media token in exchange for the current one (expired is fine, §12.14).
    public static func refreshMediaToken(token: String) -> GraphQLOperation<TokenResult> {
        GraphQLOperation(name: "RefreshMediaToken", rootField: "refreshMediaToken", document: """
            mutation RefreshMediaToken($token: String!) { refreshMediaToken(token: $token) { \(Selections.token) } }
            """, variables: ["token": .string(token)])
    }

    /// Revokes a device (possibly this one).
    public static func revokeDevice(id: String) -> GraphQLOperation<Bool> {
        GraphQLOperation(name: "RevokeDevice", rootField: "revokeDevice",
                         document: "mutation RevokeDevice($id: ID!) { revokeDevice(id: $id) }",
                         variables: ["id": .string(id)])
    }
}
