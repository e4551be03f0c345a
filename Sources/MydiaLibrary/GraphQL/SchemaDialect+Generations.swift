// The dialect of each stock generation (PROTOCOL.md §14.2.8). The lists are what the stock schemas'
// diff takes from the executable schema: `StockSchemaTests` checks that each dialect's SDL is a
// subset of its own stock schema, so a missing edit fails there, and `SchemaDialect` refuses an
// edit of something the executable schema does not have.

extension SchemaDialect {
    /// The dialect a generation's requests are validated against.
    static func of(_ generation: StockGeneration) -> SchemaDialect {
        switch generation {
        case .current: current
        case .legacy20260701: legacy20260701
        }
    }

    /// `schema.graphql`: the executable schema less the flat search list it keeps for older clients.
    static let current = SchemaDialect(edits: [.remove("SearchResults.results")])

    /// `schema-2026-07-01.graphql`.
    static let legacy20260701 = SchemaDialect(edits: [
        // No TOTP: `login` answers the token itself (a TOTP account is refused, see `LoginResultObject`).
        .remove("Mutation.verifyTotp"), .remove("VerifyTotpInput"),
        .remove("LoginResult.totpRequired"), .remove("LoginResult.challengeToken"),
        .retype("LoginResult.token", to: "String!"), .retype("LoginResult.user", to: "User!"),
        .retype("LoginResult.expiresIn", to: "Int!"),
        // No version probe and no device-token refresh.
        .remove("Query.serverCompatibility"), .remove("ServerCompatibility"),
        .remove("Mutation.refreshAccessToken"), .remove("AccessToken"),
        // `startStreamingSession(fileId, strategy, maxBitrate)` answering `{ sessionId duration }`.
        .remove("Mutation.startStreamingSession(maxHeight)"), .remove("Mutation.startStreamingSession(startPosition)"),
        .remove("Mutation.startStreamingSession(playlistMode)"),
        .remove("StreamingSessionResult.startPosition"), .remove("StreamingSessionResult.maxHeight"),
        .remove("StreamingSessionResult.playlistMode"), .remove("PlaylistMode"),
        // Fewer facts on files, subtitle tracks, devices and the rails.
        .remove("MediaFile.duration"), .remove("MediaFile.container"),
        .remove("MediaFile.segments"), .remove("MediaSegment"), .remove("SegmentType"),
        .remove("MediaFile.streams"), .remove("MediaStream"), .remove("MediaStreamType"),
        .remove("SubtitleTrack.deliverable"), .remove("SubtitleTrack.forced"), .remove("SubtitleTrack.hearingImpaired"),
        .remove("RemoteDevice.online"),
        .remove("ContinueWatchingItem.files"),
        .remove("RecentlyAddedItem.latestSeasonNumber"), .remove("RecentlyAddedItem.latestEpisodeNumber"),
        // Search answers one flat list of `MediaType` hits: `{ results { id type title year artwork score } totalCount }`.
        .remove("SearchResults.sections"), .remove("SearchSection"),
        .remove("SearchResult.subtitle"), .remove("SearchResult.seasonNumber"), .remove("SearchResult.episodeNumber"),
        .remove("SearchResult.parentId"),
        .retype("SearchResult.type", to: "MediaType!"), .retype("Query.search(types)", to: "[MediaType]"),
        .remove("SearchResultType"),
    ])
}
