public import MydiaWire

/// The typed GraphQL operations, in stock Mydia's dialect (PROTOCOL.md §14.1). Each returns a
/// `GraphQLOperation` whose result type matches the root field's nullability, with the older
/// generation's form attached where that differs (§14.2.8). Every document is validated against
/// both stock schemas by `StockSchemaTests`.
public enum Operations {
    private static func optional(_ value: Int?) -> GraphQLValue? { value.map(GraphQLValue.int) }

    static func vars(_ pairs: [(String, GraphQLValue?)]) -> [String: GraphQLValue] {
        var out: [String: GraphQLValue] = [:]
        for (key, value) in pairs { if let value { out[key] = value } }
        return out
    }

    /// Builds an operation for both generations; the older form is kept only when it differs.
    static func make<Result>(
        _ name: String, root: String, variables: (ServerGeneration) -> [String: GraphQLValue] = { _ in [:] },
        document: (Selections) -> String
    ) -> GraphQLOperation<Result> {
        let current = document(Selections(generation: .current))
        let older = document(Selections(generation: .legacy2026_07))
        let currentVariables = variables(.current)
        let olderVariables = variables(.legacy2026_07)
        let legacy = older == current && olderVariables == currentVariables
            ? nil : GraphQLOperation<Result>.LegacyForm(document: older, variables: olderVariables)
        return GraphQLOperation(name: name, rootField: root, document: current, variables: currentVariables, legacy: legacy)
    }

    /// One page of movies; `first` omitted = the server's default, `sort` omitted = by title. A
    /// `null` connection is an empty page.
    public static func movies(first: Int? = nil, after: String? = nil, sort: ListSort? = nil) -> GraphQLOperation<Connection<Movie>?> {
        make("Movies", root: "movies", variables: { _ in vars([("first", optional(first)), ("after", after.map(GraphQLValue.string))] + sort.variables) }) {
            "query Movies($first: Int, $after: String\(ListSort.parameters)) { movies(first: $first, after: $after\(ListSort.argument)) "
                + "{ edges { node { \($0.movie(files: $0.file)) } cursor } \($0.pageInfo) } }"
        }
    }

    /// One page of TV shows.
    public static func tvShows(first: Int? = nil, after: String? = nil, sort: ListSort? = nil) -> GraphQLOperation<Connection<TvShow>?> {
        make("TvShows", root: "tvShows", variables: { _ in vars([("first", optional(first)), ("after", after.map(GraphQLValue.string))] + sort.variables) }) {
            "query TvShows($first: Int, $after: String\(ListSort.parameters)) { tvShows(first: $first, after: $after\(ListSort.argument)) "
                + "{ edges { node { \($0.show) } cursor } \($0.pageInfo) } }"
        }
    }

    /// One movie with its files' subtitle tracks, or `nil` when the id is unknown.
    public static func movie(id: String) -> GraphQLOperation<Movie?> {
        make("Movie", root: "movie", variables: { _ in ["id": .string(id)] }) {
            "query Movie($id: ID!) { movie(id: $id) { \($0.movie(files: $0.fileDetail)) } }"
        }
    }

    /// One show with its seasons and next episode, or `nil`.
    public static func tvShow(id: String) -> GraphQLOperation<TvShow?> {
        make("TvShow", root: "tvShow", variables: { _ in ["id": .string(id)] }) {
            "query TvShow($id: ID!) { tvShow(id: $id) { \($0.show) } }"
        }
    }

    /// The episodes of one season, in order.
    public static func seasonEpisodes(showId: String, seasonNumber: Int) -> GraphQLOperation<CompactList<Episode>> {
        make("SeasonEpisodes", root: "seasonEpisodes",
             variables: { _ in ["showId": .string(showId), "seasonNumber": .int(seasonNumber)] }) {
            "query SeasonEpisodes($showId: ID!, $seasonNumber: Int!) "
                + "{ seasonEpisodes(showId: $showId, seasonNumber: $seasonNumber) { \($0.episode(files: $0.file)) } }"
        }
    }

    /// One episode with its files' subtitle tracks, or `nil`.
    public static func episode(id: String) -> GraphQLOperation<Episode?> {
        make("Episode", root: "episode", variables: { _ in ["id": .string(id)] }) {
            "query Episode($id: ID!) { episode(id: $id) { \($0.episode(files: $0.fileDetail)) } }"
        }
    }

    /// Search by title, grouped in sections (an older server's flat list is grouped while decoding).
    public static func search(query: String, first: Int? = nil) -> GraphQLOperation<SearchResults?> {
        make("Search", root: "search", variables: { _ in vars([("query", .string(query)), ("first", optional(first))]) }) {
            "query Search($query: String!, $first: Int) { search(query: $query, first: $first) { \($0.searchResults) } }"
        }
    }

    /// Items with progress that are not finished, most recent first.
    public static func continueWatching(first: Int? = nil) -> GraphQLOperation<CompactList<ContinueItem>> {
        make("ContinueWatching", root: "continueWatching", variables: { _ in vars([("first", optional(first))]) }) {
            "query ContinueWatching($first: Int) { continueWatching(first: $first) { \($0.continueItem) } }"
        }
    }

    /// Newest items first.
    public static func recentlyAdded(first: Int? = nil) -> GraphQLOperation<CompactList<RecentlyAddedItem>> {
        make("RecentlyAdded", root: "recentlyAdded", variables: { _ in vars([("first", optional(first))]) }) {
            "query RecentlyAdded($first: Int) { recentlyAdded(first: $first) { \($0.recentlyAddedItem) } }"
        }
    }

    /// The account's devices.
    public static func devices() -> GraphQLOperation<CompactList<Device>> {
        make("Devices", root: "devices") { "query Devices { devices { \($0.device) } }" }
    }

    /// Version information (needs no bearer; older servers do not have it).
    public static func serverCompatibility() -> GraphQLOperation<ServerCompatibility?> {
        GraphQLOperation(name: "ServerCompatibility", rootField: "serverCompatibility",
                         document: "query ServerCompatibility { serverCompatibility { version minPlayerVersion } }")
    }

    /// How the server can deliver an item's file, most preferred first; the answer depends on the
    /// `X-Mydia-Device-Profile` header the request carries (§14.2.7).
    /// - Parameter deviceProfile: what the player plays untouched, sent as that header; a profile
    ///   over the header's limits is left out (a server would ignore it).
    public static func streamingCandidates(contentType: String, id: String,
                                           deviceProfile: DeviceProfile? = nil) -> GraphQLOperation<StreamingCandidates?> {
        var operation: GraphQLOperation<StreamingCandidates?> = make(
            "StreamingCandidates", root: "streamingCandidates",
            variables: { _ in ["contentType": .string(contentType), "id": .string(id)] }) { _ in
            "query StreamingCandidates($contentType: String!, $id: ID!) { streamingCandidates(contentType: $contentType, id: $id) "
                + "{ fileId candidates { strategy mime container videoCodec audioCodec } metadata { duration width height container } } }"
        }
        if let value = try? deviceProfile?.headerValue() { operation.headers[DeviceProfile.headerName.lowercased()] = value }
        return operation
    }

    /// Starts an HLS session for a file. Newer servers get `startPosition` (whole seconds) and
    /// `playlistMode`; the older generation has neither (§14.2.8).
    public static func startStreamingSession(fileId: String, strategy: StreamingStrategy, startPosition: Int? = nil,
                                             playlistMode: PlaylistMode? = .full) -> GraphQLOperation<StreamingSession?> {
        make("StartStreamingSession", root: "startStreamingSession", variables: { generation in
            var pairs: [(String, GraphQLValue?)] = [("fileId", .string(fileId)), ("strategy", .string(strategy.rawValue))]
            if generation == .current {
                pairs += [("startPosition", optional(startPosition)), ("playlistMode", playlistMode.map { .string($0.rawValue) })]
            }
            return vars(pairs)
        }) {
            $0.generation == .current
                ? "mutation StartStreamingSession($fileId: ID!, $strategy: StreamingStrategy!, $startPosition: Int, "
                    + "$playlistMode: PlaylistMode) { startStreamingSession(fileId: $fileId, strategy: $strategy, "
                    + "startPosition: $startPosition, playlistMode: $playlistMode) { \($0.streamingSession) } }"
                : "mutation StartStreamingSession($fileId: ID!, $strategy: StreamingStrategy!) "
                    + "{ startStreamingSession(fileId: $fileId, strategy: $strategy) { \($0.streamingSession) } }"
        }
    }

    /// Ends an HLS session.
    public static func endStreamingSession(sessionId: String) -> GraphQLOperation<Bool?> {
        GraphQLOperation(name: "EndStreamingSession", rootField: "endStreamingSession", document: """
            mutation EndStreamingSession($sessionId: String!) { endStreamingSession(sessionId: $sessionId) }
            """, variables: ["sessionId": .string(sessionId)])
    }

    /// Reports movie progress in whole seconds.
    public static func updateMovieProgress(movieId: String, positionSeconds: Int, durationSeconds: Int?) -> GraphQLOperation<Progress?> {
        progress(name: "UpdateMovieProgress", field: "updateMovieProgress", idName: "movieId", id: movieId,
                 position: positionSeconds, duration: durationSeconds)
    }

    /// Reports episode progress in whole seconds.
    public static func updateEpisodeProgress(episodeId: String, positionSeconds: Int, durationSeconds: Int?) -> GraphQLOperation<Progress?> {
        progress(name: "UpdateEpisodeProgress", field: "updateEpisodeProgress", idName: "episodeId", id: episodeId,
                 position: positionSeconds, duration: durationSeconds)
    }

    private static func progress(name: String, field: String, idName: String, id: String, position: Int,
                                 duration: Int?) -> GraphQLOperation<Progress?> {
        make(name, root: field, variables: { _ in
            vars([(idName, .string(id)), ("positionSeconds", .int(max(0, position))), ("durationSeconds", optional(duration))])
        }) {
            "mutation \(name)($\(idName): ID!, $positionSeconds: Int!, $durationSeconds: Int) "
                + "{ \(field)(\(idName): $\(idName), positionSeconds: $positionSeconds, durationSeconds: $durationSeconds) "
                + "{ \($0.progress) } }"
        }
    }

    /// Marks a movie watched (`markMovieWatched`) or unwatched (`markMovieUnwatched`).
    public static func markMovieWatched(movieId: String, watched: Bool) -> GraphQLOperation<WatchedItem?> {
        mark(watched ? "markMovieWatched" : "markMovieUnwatched", idName: "movieId", id: movieId)
    }

    /// Marks an episode watched (`markEpisodeWatched`) or unwatched (`markEpisodeUnwatched`).
    public static func markEpisodeWatched(episodeId: String, watched: Bool) -> GraphQLOperation<WatchedItem?> {
        mark(watched ? "markEpisodeWatched" : "markEpisodeUnwatched", idName: "episodeId", id: episodeId)
    }

    private static func mark(_ field: String, idName: String, id: String) -> GraphQLOperation<WatchedItem?> {
        let name = field.prefix(1).uppercased() + field.dropFirst()
        return make(name, root: field, variables: { _ in [idName: .string(id)] }) {
            "mutation \(name)($\(idName): ID!) { \(field)(\(idName): $\(idName)) { \($0.watchedItem) } }"
        }
    }

    /// A new access token for the device the device token names (needs no bearer, §11.3).
    public static func refreshAccessToken(deviceToken: String) -> GraphQLOperation<TokenResult?> {
        GraphQLOperation(name: "RefreshAccessToken", rootField: "refreshAccessToken", document: """
            mutation RefreshAccessToken($deviceToken: String!) { refreshAccessToken(deviceToken: $deviceToken) \
            { token expiresAt } }
            """, variables: ["deviceToken": .string(deviceToken)])
    }

    /// A new media token in exchange for the current one (expired is fine, §12.14).
    public static func refreshMediaToken(token: String) -> GraphQLOperation<TokenResult?> {
        GraphQLOperation(name: "RefreshMediaToken", rootField: "refreshMediaToken", document: """
            mutation RefreshMediaToken($token: String!) { refreshMediaToken(token: $token) { token expiresAt } }
            """, variables: ["token": .string(token)])
    }

    /// Revokes a device (possibly this one).
    public static func revokeDevice(id: String) -> GraphQLOperation<RevokeDeviceResult?> {
        GraphQLOperation(name: "RevokeDevice", rootField: "revokeDevice",
                         document: "mutation RevokeDevice($id: ID!) { revokeDevice(id: $id) { success device { id } } }",
                         variables: ["id": .string(id)])
    }
}
