import Graphiti

/// The GraphQL schema: PROTOCOL.md §7's subset with §11.8 / §12.17 shapes and nullability.
enum CatalogSchema {
    static func make() throws -> Schema<CatalogResolver, GraphQLContext> {
        try Schema<CatalogResolver, GraphQLContext> {
            Scalar(ItemID.self, as: "ID", serialize: IDScalar.serialize, parseValue: IDScalar.parseValue,
                   parseLiteral: IDScalar.parseLiteral)
            Enum(StreamingStrategyChoice.self, as: "StreamingStrategy") {
                Value(.hlsCopy)
                Value(.transcode)
            }
            Type(ArtworkObject.self, as: "Artwork") {
                Field("posterUrl", at: \.posterUrl)
                Field("thumbnailUrl", at: \.thumbnailUrl)
            }
            Type(MediaFileObject.self, as: "MediaFile") {
                Field("id", at: \.id)
                Field("resolution", at: \.resolution)
                Field("codec", at: \.codec)
                Field("audioCodec", at: \.audioCodec)
                Field("size", at: \.size)
                Field("bitrate", at: \.bitrate)
                Field("duration", at: \.duration)
            }
            Type(ProgressObject.self, as: "Progress") {
                Field("positionSeconds", at: \.positionSeconds)
                Field("durationSeconds", at: \.durationSeconds)
                Field("percentage", at: \.percentage)
                Field("watched", at: \.watched)
                Field("lastWatchedAt", at: \.lastWatchedAt)
            }
            Type(MovieObject.self, as: "Movie") {
                Field("id", at: \.id)
                Field("title", at: \.title)
                Field("year", at: \.year)
                Field("overview", at: \.overview)
                Field("runtime", at: \.runtime)
                Field("genres", at: \.genres)
                Field("artwork", at: \.artwork)
                Field("progress", at: \.progress)
                Field("files", at: \.files)
            }
            Type(EpisodeObject.self, as: "Episode") {
                Field("id", at: \.id)
                Field("showId", at: \.showId)
                Field("seasonNumber", at: \.seasonNumber)
                Field("episodeNumber", at: \.episodeNumber)
                Field("title", at: \.title)
                Field("overview", at: \.overview)
                Field("airDate", at: \.airDate)
                Field("runtime", at: \.runtime)
                Field("progress", at: \.progress)
                Field("files", at: \.files)
            }
            Type(SeasonObject.self, as: "Season") {
                Field("seasonNumber", at: \.seasonNumber)
                Field("episodeCount", at: \.episodeCount)
            }
            Type(TvShowObject.self, as: "TvShow") {
                Field("id", at: \.id)
                Field("title", at: \.title)
                Field("year", at: \.year)
                Field("overview", at: \.overview)
                Field("status", at: \.status)
                Field("seasonCount", at: \.seasonCount)
                Field("episodeCount", at: \.episodeCount)
                Field("seasons", at: \.seasons)
                Field("nextEpisode", at: \.nextEpisode)
                Field("artwork", at: \.artwork)
            }
            Type(PageInfoObject.self, as: "PageInfo") {
                Field("hasNextPage", at: \.hasNextPage)
                Field("endCursor", at: \.endCursor)
            }
            Type(MovieEdgeObject.self, as: "MovieEdge") {
                Field("node", at: \.node)
                Field("cursor", at: \.cursor)
            }
            Type(MovieConnectionObject.self, as: "MovieConnection") {
                Field("edges", at: \.edges)
                Field("pageInfo", at: \.pageInfo)
                Field("totalCount", at: \.totalCount)
            }
            Type(TvShowEdgeObject.self, as: "TvShowEdge") {
                Field("node", at: \.node)
                Field("cursor", at: \.cursor)
            }
            Type(TvShowConnectionObject.self, as: "TvShowConnection") {
                Field("edges", at: \.edges)
                Field("pageInfo", at: \.pageInfo)
                Field("totalCount", at: \.totalCount)
            }
            Type(SearchItemObject.self, as: "SearchItem") {
                Field("id", at: \.id)
                Field("type", at: \.type)
                Field("title", at: \.title)
                Field("year", at: \.year)
                Field("subtitle", at: \.subtitle)
                Field("seasonNumber", at: \.seasonNumber)
                Field("episodeNumber", at: \.episodeNumber)
                Field("parentId", at: \.parentId)
            }
            Type(SearchSectionObject.self, as: "SearchSection") {
                Field("type", at: \.type)
                Field("totalCount", at: \.totalCount)
                Field("results", at: \.results)
            }
            Type(SearchResultObject.self, as: "SearchResult") {
                Field("totalCount", at: \.totalCount)
                Field("sections", at: \.sections)
            }
            Type(ContinueItemObject.self, as: "ContinueItem") {
                Field("id", at: \.id)
                Field("type", at: \.type)
                Field("title", at: \.title)
                Field("progress", at: \.progress)
                Field("showId", at: \.showId)
                Field("showTitle", at: \.showTitle)
                Field("seasonNumber", at: \.seasonNumber)
                Field("episodeNumber", at: \.episodeNumber)
                Field("files", at: \.files)
            }
            Type(TokenResultObject.self, as: "TokenResult") {
                Field("token", at: \.token)
                Field("expiresAt", at: \.expiresAt)
            }
            Type(ServerCompatibilityObject.self, as: "ServerCompatibility") {
                Field("version", at: \.version)
                Field("minPlayerVersion", at: \.minPlayerVersion)
            }
            Type(DeviceObject.self, as: "Device") {
                Field("id", at: \.id)
                Field("deviceName", at: \.deviceName)
                Field("platform", at: \.platform)
                Field("createdAt", at: \.createdAt)
                Field("lastSeenAt", at: \.lastSeenAt)
                Field("revoked", at: \.revoked)
                Field("current", at: \.current)
            }
            Type(StreamingSessionObject.self, as: "StreamingSession") {
                Field("sessionId", at: \.sessionId)
                Field("duration", at: \.duration)
                Field("startPosition", at: \.startPosition)
            }
            Query {
                Field("movies", at: CatalogResolver.movies) {
                    Argument("first", at: \.first)
                    Argument("after", at: \.after)
                }
                Field("tvShows", at: CatalogResolver.tvShows) {
                    Argument("first", at: \.first)
                    Argument("after", at: \.after)
                }
                Field("movie", at: CatalogResolver.movie) { Argument("id", at: \.id) }
                Field("tvShow", at: CatalogResolver.tvShow) { Argument("id", at: \.id) }
                Field("seasonEpisodes", at: CatalogResolver.seasonEpisodes) {
                    Argument("showId", at: \.showId)
                    Argument("seasonNumber", at: \.seasonNumber)
                }
                Field("episode", at: CatalogResolver.episode) { Argument("id", at: \.id) }
                Field("search", at: CatalogResolver.search) {
                    Argument("query", at: \.query)
                    Argument("first", at: \.first)
                }
                Field("continueWatching", at: CatalogResolver.continueWatching) { Argument("first", at: \.first) }
                Field("recentlyAdded", at: CatalogResolver.recentlyAdded) { Argument("first", at: \.first) }
                Field("serverCompatibility", at: CatalogResolver.serverCompatibility)
                Field("devices", at: CatalogResolver.devices)
            }
            Mutation {
                Field("startStreamingSession", at: CatalogResolver.startStreamingSession) {
                    Argument("fileId", at: \.fileId)
                    Argument("strategy", at: \.strategy)
                    Argument("startPosition", at: \.startPosition)
                }
                Field("endStreamingSession", at: CatalogResolver.endStreamingSession) {
                    Argument("sessionId", at: \.sessionId)
                }
                Field("updateMovieProgress", at: CatalogResolver.updateMovieProgress) {
                    Argument("movieId", at: \.movieId)
                    Argument("positionSeconds", at: \.positionSeconds)
                    Argument("durationSeconds", at: \.durationSeconds)
                    Argument("watchedAt", at: \.watchedAt)
                }
                Field("updateEpisodeProgress", at: CatalogResolver.updateEpisodeProgress) {
                    Argument("episodeId", at: \.episodeId)
                    Argument("positionSeconds", at: \.positionSeconds)
                    Argument("durationSeconds", at: \.durationSeconds)
                    Argument("watchedAt", at: \.watchedAt)
                }
                Field("markMovieWatched", at: CatalogResolver.markMovieWatched) {
                    Argument("movieId", at: \.movieId)
                    Argument("watched", at: \.watched)
                }
                Field("refreshAccessToken", at: CatalogResolver.refreshAccessToken) {
                    Argument("deviceToken", at: \.deviceToken)
                }
                Field("refreshMediaToken", at: CatalogResolver.refreshMediaToken) { Argument("token", at: \.token) }
                Field("revokeDevice", at: CatalogResolver.revokeDevice) { Argument("id", at: \.id) }
            }
        }
    }
}
