import GraphQL
import Graphiti

/// The executable GraphQL schema: what every stock generation this server speaks can ask for, with
/// stock Mydia's type, field and argument names and types (PROTOCOL.md §14.1, §14.2.8). Requests
/// are validated against a generation's ``SchemaDialect`` of it, and `StockSchemaTests` checks each
/// dialect against its stock schema (`../shared/stock-mydia/`) type by type, field by field,
/// argument by argument.
enum CatalogSchema {
    static func make() throws -> Schema<CatalogResolver, GraphQLContext> {
        try Schema<CatalogResolver, GraphQLContext> {
            Scalar(ItemID.self, as: "ID", serialize: IDScalar.serialize, parseValue: IDScalar.parseValue,
                   parseLiteral: IDScalar.parseLiteral)
            Scalar(DateTimeValue.self, as: "DateTime")
            Scalar(DateValue.self, as: "Date")
            Enum(StreamingStrategyChoice.self, as: "StreamingStrategy") {
                Value(.hlsCopy)
                Value(.transcode)
            }
            Enum(MediaTypeValue.self, as: "MediaType") {
                Value(.movie)
                Value(.tvShow)
                Value(.episode)
            }
            Enum(SearchTypeValue.self, as: "SearchResultType") {
                Value(.movie)
                Value(.tvShow)
                Value(.episode)
            }
            Enum(SubtitleFormatValue.self, as: "SubtitleFormat") {
                Value(.srt)
                Value(.vtt)
                Value(.ass)
                Value(.ssa)
                Value(.pgs)
                Value(.vobsub)
                Value(.unknown)
            }
            Enum(PlaylistModeValue.self, as: "PlaylistMode") {
                Value(.full)
                Value(.window)
            }
            Enum(SortFieldValue.self, as: "SortField") {
                Value(.title)
                Value(.addedAt)
                Value(.year)
                Value(.rating)
            }
            Enum(SortDirectionValue.self, as: "SortDirection") {
                Value(.asc)
                Value(.desc)
            }
            Input(SortInputObject.self, as: "SortInput") {
                InputField("field", at: \.field)
                InputField("direction", at: \.direction)
            }
            Type(ArtworkObject.self, as: "Artwork") {
                Field("posterUrl", at: \.posterUrl)
                Field("thumbnailUrl", at: \.thumbnailUrl)
            }
            Enum(SegmentTypeValue.self, as: "SegmentType") {
                Value(.intro)
                Value(.credits)
            }
            Type(MediaSegmentObject.self, as: "MediaSegment") {
                Field("type", at: \.type)
                Field("startMs", at: \.startMs)
                Field("endMs", at: \.endMs)
            }
            Enum(MediaStreamTypeValue.self, as: "MediaStreamType") {
                Value(.video)
                Value(.audio)
                Value(.subtitle)
            }
            Type(MediaStreamObject.self, as: "MediaStream") {
                Field("index", at: \.index)
                Field("type", at: \.type)
                Field("codec", at: \.codec)
                Field("profile", at: \.profile)
                Field("level", at: \.level)
                Field("language", at: \.language)
                Field("title", at: \.title)
                Field("isDefault", at: \.isDefault)
                Field("isForced", at: \.isForced)
                Field("isHearingImpaired", at: \.isHearingImpaired)
                Field("isCommentary", at: \.isCommentary)
                Field("width", at: \.width)
                Field("height", at: \.height)
                Field("channels", at: \.channels)
            }
            Type(SubtitleTrackObject.self, as: "SubtitleTrack") {
                Field("trackId", at: \.trackId)
                Field("language", at: \.language)
                Field("title", at: \.title)
                Field("format", at: \.format)
                Field("embedded", at: \.embedded)
                Field("deliverable", at: \.deliverable)
                Field("forced", at: \.forced)
                Field("hearingImpaired", at: \.hearingImpaired)
                Field("url", at: SubtitleTrackObject.url) { Argument("format", at: \.format) }
            }
            Type(MediaFileObject.self, as: "MediaFile") {
                Field("id", at: \.id)
                Field("resolution", at: \.resolution)
                Field("codec", at: \.codec)
                Field("audioCodec", at: \.audioCodec)
                Field("size", at: \.size)
                Field("bitrate", at: \.bitrate)
                Field("duration", at: \.duration)
                Field("container", at: \.container)
                Field("directPlaySupported", at: MediaFileObject.directPlaySupported)
                Field("subtitles", at: MediaFileObject.subtitles)
                Field("segments", at: MediaFileObject.segments)
                Field("streams", at: \.streams)
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
                Field("originalTitle", at: \.originalTitle)
                Field("addedAt", at: \.addedAt)
                Field("rating", at: \.rating)
            }
            Type(EpisodeObject.self, as: "Episode") {
                Field("id", at: \.id)
                Field("seasonNumber", at: \.seasonNumber)
                Field("episodeNumber", at: \.episodeNumber)
                Field("title", at: \.title)
                Field("overview", at: \.overview)
                Field("airDate", at: \.airDate)
                Field("runtime", at: \.runtime)
                Field("progress", at: \.progress)
                Field("files", at: \.files)
                Field("show", at: \.show)
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
                Field("originalTitle", at: \.originalTitle)
                Field("addedAt", at: \.addedAt)
                Field("rating", at: \.rating)
                Field("genres", at: \.genres)
            }
            Type(UpNextItemObject.self, as: "UpNextItem") {
                Field("episode", at: \.episode)
                Field("show", at: \.show)
                Field("progressState", at: \.progressState)
            }
            Type(PageInfoObject.self, as: "PageInfo") {
                Field("hasNextPage", at: \.hasNextPage)
                Field("hasPreviousPage", at: \.hasPreviousPage)
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
            Type(SearchItemObject.self, as: "SearchResult") {
                Field("id", at: \.id)
                Field("type", at: \.searchType)
                Field("title", at: \.title)
                Field("year", at: \.year)
                Field("artwork", at: \.artwork)
                Field("score", at: \.score)
                Field("subtitle", at: \.subtitle)
                Field("seasonNumber", at: \.seasonNumber)
                Field("episodeNumber", at: \.episodeNumber)
                Field("parentId", at: \.parentId)
            }
            Type(SearchSectionObject.self, as: "SearchSection") {
                Field("type", at: \.searchType)
                Field("totalCount", at: \.totalCount)
                Field("results", at: \.results)
            }
            Type(SearchResultObject.self, as: "SearchResults") {
                Field("totalCount", at: \.totalCount)
                Field("sections", at: \.sections)
                // The 2026-07-01 generation's flat list; hidden from the current dialect.
                Field("results", at: \.results)
            }
            Type(ContinueItemObject.self, as: "ContinueWatchingItem") {
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
            Type(RecentlyAddedObject.self, as: "RecentlyAddedItem") {
                Field("id", at: \.id)
                Field("type", at: \.type)
                Field("title", at: \.title)
                Field("year", at: \.year)
                Field("artwork", at: \.artwork)
                Field("addedAt", at: \.addedAt)
                Field("latestSeasonNumber", at: \.latestSeasonNumber)
                Field("latestEpisodeNumber", at: \.latestEpisodeNumber)
            }
            Type(TokenResultObject.self, as: "AccessToken") {
                Field("token", at: \.token)
                Field("expiresAt", at: \.expiresAt)
            }
            Type(MediaTokenObject.self, as: "MediaToken") {
                Field("token", at: \.token)
                Field("expiresAt", at: \.expiresAt)
                Field("permissions", at: \.permissions)
            }
            Type(ServerCompatibilityObject.self, as: "ServerCompatibility") {
                Field("version", at: \.version)
                Field("minPlayerVersion", at: \.minPlayerVersion)
                Field("recommendedPlayerVersion", at: \.minPlayerVersion)
            }
            Type(DeviceObject.self, as: "RemoteDevice") {
                Field("id", at: \.id)
                Field("deviceName", at: \.deviceName)
                Field("platform", at: \.platform)
                Field("createdAt", at: \.createdAt)
                Field("lastSeenAt", at: \.lastSeenAt)
                Field("online", at: \.online)
                Field("isRevoked", at: \.isRevoked)
            }
            Type(RevokeDeviceResultObject.self, as: "RevokeDeviceResult") {
                Field("success", at: \.success)
                Field("device", at: \.device)
            }
            Type(StreamingSessionObject.self, as: "StreamingSessionResult") {
                Field("sessionId", at: \.sessionId)
                Field("duration", at: \.duration)
                Field("startPosition", at: \.startPosition)
                Field("maxHeight", at: \.maxHeight)
                Field("playlistMode", at: \.playlistMode)
            }
            Enum(CandidateStrategyValue.self, as: "StreamingCandidateStrategy") {
                Value(.directPlay)
                Value(.remux)
                Value(.hlsCopy)
                Value(.transcode)
            }
            Type(StreamingCandidateObject.self, as: "StreamingCandidate") {
                Field("strategy", at: \.strategy)
                Field("mime", at: \.mime)
                Field("container", at: \.container)
                Field("videoCodec", at: \.videoCodec)
                Field("audioCodec", at: \.audioCodec)
            }
            Type(StreamingMetadataObject.self, as: "StreamingMetadata") {
                Field("duration", at: \.duration)
                Field("width", at: \.width)
                Field("height", at: \.height)
                Field("bitrate", at: \.bitrate)
                Field("resolution", at: \.resolution)
                Field("originalCodec", at: \.originalCodec)
                Field("originalAudioCodec", at: \.originalAudioCodec)
                Field("container", at: \.container)
            }
            Type(StreamingCandidatesObject.self, as: "StreamingCandidatesResult") {
                Field("fileId", at: \.fileId)
                Field("candidates", at: \.candidates)
                Field("metadata", at: \.metadata)
            }
            Input(LoginInputObject.self, as: "LoginInput") {
                InputField("username", at: \.username)
                InputField("password", at: \.password)
                InputField("deviceId", at: \.deviceId)
                InputField("deviceName", at: \.deviceName)
                InputField("platform", at: \.platform)
            }
            Input(VerifyTotpInputObject.self, as: "VerifyTotpInput") {
                InputField("challengeToken", at: \.challengeToken)
                InputField("code", at: \.code)
            }
            Type(UserObject.self, as: "User") {
                Field("id", at: \.id)
                Field("username", at: \.username)
            }
            Type(LoginResultObject.self, as: "LoginResult") {
                Field("token", at: \.token)
                Field("user", at: \.user)
                Field("expiresIn", at: \.expiresIn)
                Field("totpRequired", at: \.totpRequired)
                Field("challengeToken", at: \.challengeToken)
            }
            Query {
                Field("movies", at: CatalogResolver.movies) {
                    Argument("first", at: \.first)
                    Argument("after", at: \.after)
                    Argument("sort", at: \.sort)
                }
                Field("tvShows", at: CatalogResolver.tvShows) {
                    Argument("first", at: \.first)
                    Argument("after", at: \.after)
                    Argument("sort", at: \.sort)
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
                    Argument("types", at: \.types)
                    Argument("first", at: \.first)
                }
                Field("continueWatching", at: CatalogResolver.continueWatching) {
                    Argument("first", at: \.first)
                    Argument("after", at: \.after)
                }
                Field("recentlyAdded", at: CatalogResolver.recentlyAdded) {
                    Argument("first", at: \.first)
                    Argument("after", at: \.after)
                    Argument("types", at: \.types)
                }
                Field("upNext", at: CatalogResolver.upNext) {
                    Argument("first", at: \.first)
                    Argument("after", at: \.after)
                }
                Field("serverCompatibility", at: CatalogResolver.serverCompatibility)
                Field("streamingCandidates", at: CatalogResolver.streamingCandidates) {
                    Argument("contentType", at: \.contentType)
                    Argument("id", at: \.id)
                }
                Field("devices", at: CatalogResolver.devices)
            }
            Mutation {
                Field("startStreamingSession", at: CatalogResolver.startStreamingSession) {
                    Argument("fileId", at: \.fileId)
                    Argument("strategy", at: \.strategy)
                    Argument("maxHeight", at: \.maxHeight)
                    Argument("startPosition", at: \.startPosition)
                    Argument("playlistMode", at: \.playlistMode)
                }
                Field("endStreamingSession", at: CatalogResolver.endStreamingSession) {
                    Argument("sessionId", at: \.sessionId)
                }
                Field("updateMovieProgress", at: CatalogResolver.updateMovieProgress) {
                    Argument("movieId", at: \.movieId)
                    Argument("positionSeconds", at: \.positionSeconds)
                    Argument("durationSeconds", at: \.durationSeconds)
                }
                Field("updateEpisodeProgress", at: CatalogResolver.updateEpisodeProgress) {
                    Argument("episodeId", at: \.episodeId)
                    Argument("positionSeconds", at: \.positionSeconds)
                    Argument("durationSeconds", at: \.durationSeconds)
                }
                Field("markMovieWatched", at: CatalogResolver.markMovieWatched) { Argument("movieId", at: \.movieId) }
                Field("markMovieUnwatched", at: CatalogResolver.markMovieUnwatched) { Argument("movieId", at: \.movieId) }
                Field("markEpisodeWatched", at: CatalogResolver.markEpisodeWatched) { Argument("episodeId", at: \.episodeId) }
                Field("markEpisodeUnwatched", at: CatalogResolver.markEpisodeUnwatched) { Argument("episodeId", at: \.episodeId) }
                Field("markSeasonWatched", at: CatalogResolver.markSeasonWatched) {
                    Argument("showId", at: \.showId)
                    Argument("seasonNumber", at: \.seasonNumber)
                }
                Field("markSeasonUnwatched", at: CatalogResolver.markSeasonUnwatched) {
                    Argument("showId", at: \.showId)
                    Argument("seasonNumber", at: \.seasonNumber)
                }
                Field("refreshAccessToken", at: CatalogResolver.refreshAccessToken) {
                    Argument("deviceToken", at: \.deviceToken)
                }
                Field("refreshMediaToken", at: CatalogResolver.refreshMediaToken) { Argument("token", at: \.token) }
                Field("revokeDevice", at: CatalogResolver.revokeDevice) { Argument("id", at: \.id) }
                Field("login", at: CatalogResolver.login) { Argument("input", at: \.input) }
                Field("verifyTotp", at: CatalogResolver.verifyTotp) { Argument("input", at: \.input) }
            }
        }
    }

    /// The executable schema as SDL, from which the dialects are made.
    static func sdl() throws -> String { printSchema(schema: try make().schema) }

    /// What a generation's clients see: the dialect's SDL, for the comparison with stock's schema.
    static func sdl(_ generation: StockGeneration) throws -> String { try SchemaDialect.of(generation).sdl(from: try sdl()) }
}
