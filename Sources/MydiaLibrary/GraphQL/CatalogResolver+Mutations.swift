import Foundation
import Graphiti
import MydiaWire

/// Root `Mutation` resolvers (PROTOCOL.md §7, §11.3, §12.14, §12.17).
extension CatalogResolver {
    struct MovieProgressArguments: Codable, Sendable {
        var movieId: ItemID
        var positionSeconds: Int
        var durationSeconds: Int?
    }

    struct EpisodeProgressArguments: Codable, Sendable {
        var episodeId: ItemID
        var positionSeconds: Int
        var durationSeconds: Int?
    }

    struct MovieArguments: Codable, Sendable { var movieId: ItemID }
    struct EpisodeArguments: Codable, Sendable { var episodeId: ItemID }
    struct DeviceTokenArguments: Codable, Sendable { var deviceToken: String }
    struct TokenArguments: Codable, Sendable { var token: String }
    struct StartStreamingArguments: Codable, Sendable {
        var fileId: ItemID
        var strategy: StreamingStrategyChoice
        var maxHeight: Int?
        var startPosition: Int?
        var playlistMode: PlaylistModeValue?
    }
    struct LoginArguments: Codable, Sendable { var input: LoginInputObject }
    struct VerifyTotpArguments: Codable, Sendable { var input: VerifyTotpInputObject }

    /// `login(input:)` (§14.2.2, §14.3): a token, `totpRequired` with a challenge, or the refusal's text.
    func login(context: GraphQLContext, arguments: LoginArguments) async throws -> LoginResultObject? {
        guard let authority = context.login else { throw GraphQLContext.Error.invalidArgument("Local authentication is disabled") }
        let i = arguments.input
        return try LoginResultObject(await authority.login(
            username: i.username, password: i.password, deviceID: i.deviceId, deviceName: i.deviceName,
            platform: i.platform, clientAddress: context.clientAddress ?? "tunnel"))
    }

    /// `verifyTotp(input:)`: the second step after `totpRequired`.
    func verifyTotp(context: GraphQLContext, arguments: VerifyTotpArguments) async throws -> LoginResultObject? {
        guard let authority = context.login else { throw GraphQLContext.Error.invalidArgument("Local authentication is disabled") }
        return try LoginResultObject(await authority.verifyTotp(
            challengeToken: arguments.input.challengeToken, code: arguments.input.code,
            clientAddress: context.clientAddress ?? "tunnel"))
    }
    struct EndStreamingArguments: Codable, Sendable { var sessionId: String }

    /// Positions are whole seconds (§14.1); without `durationSeconds` the stored duration stays.
    func updateMovieProgress(context: GraphQLContext, arguments: MovieProgressArguments) async throws -> ProgressObject? {
        guard try await context.library.movie(id: arguments.movieId.rawValue) != nil else {
            throw GraphQLContext.Error.notFound("Movie \(arguments.movieId.rawValue)")
        }
        return ProgressObject(try await updateProgress(context, arguments.movieId.rawValue, arguments.positionSeconds,
                                                       arguments.durationSeconds))
    }

    func updateEpisodeProgress(context: GraphQLContext, arguments: EpisodeProgressArguments) async throws -> ProgressObject? {
        guard try await context.library.episode(id: arguments.episodeId.rawValue) != nil else {
            throw GraphQLContext.Error.notFound("Episode \(arguments.episodeId.rawValue)")
        }
        return ProgressObject(try await updateProgress(context, arguments.episodeId.rawValue, arguments.positionSeconds,
                                                       arguments.durationSeconds))
    }

    private func updateProgress(_ context: GraphQLContext, _ itemID: String, _ position: Int, _ duration: Int?) async throws
        -> ProgressRecord
    {
        guard position >= 0 else { throw GraphQLContext.Error.invalidArgument("positionSeconds must be 0 or more.") }
        if let duration, duration < 0 { throw GraphQLContext.Error.invalidArgument("durationSeconds must be 0 or more.") }
        let stored = try await context.library.progressMap()[itemID]?.duration
        return try await context.library.updateProgress(itemID: itemID, position: Double(position),
                                                        duration: duration.map(Double.init) ?? stored ?? 0)
    }

    func markMovieWatched(context: GraphQLContext, arguments: MovieArguments) async throws -> MovieObject? {
        try await markMovie(context, arguments.movieId.rawValue, watched: true)
    }

    func markMovieUnwatched(context: GraphQLContext, arguments: MovieArguments) async throws -> MovieObject? {
        try await markMovie(context, arguments.movieId.rawValue, watched: false)
    }

    func markEpisodeWatched(context: GraphQLContext, arguments: EpisodeArguments) async throws -> EpisodeObject? {
        try await markEpisode(context, arguments.episodeId.rawValue, watched: true)
    }

    func markEpisodeUnwatched(context: GraphQLContext, arguments: EpisodeArguments) async throws -> EpisodeObject? {
        try await markEpisode(context, arguments.episodeId.rawValue, watched: false)
    }

    private func markMovie(_ context: GraphQLContext, _ id: String, watched: Bool) async throws -> MovieObject {
        guard let movie = try await context.library.movie(id: id) else { throw GraphQLContext.Error.notFound("Movie \(id)") }
        _ = try await context.library.setWatched(itemID: id, watched: watched)
        return try await CatalogView.load(context.library).movie(movie)
    }

    private func markEpisode(_ context: GraphQLContext, _ id: String, watched: Bool) async throws -> EpisodeObject {
        guard let episode = try await context.library.episode(id: id) else { throw GraphQLContext.Error.notFound("Episode \(id)") }
        _ = try await context.library.setWatched(itemID: id, watched: watched)
        let show = try await context.library.show(id: episode.showID)
        return try await CatalogView.load(context.library).episode(episode, show: show)
    }

    func refreshAccessToken(context: GraphQLContext, arguments: DeviceTokenArguments) async throws -> TokenResultObject? {
        TokenResultObject(try await context.devices.refreshAccessToken(deviceToken: arguments.deviceToken))
    }

    func refreshMediaToken(context: GraphQLContext, arguments: TokenArguments) async throws -> MediaTokenObject? {
        let device = try context.requireDevice()
        return MediaTokenObject(try await context.devices.refreshMediaToken(current: arguments.token,
                                                                             bearerDevice: device))
    }

    /// A login device may revoke its own user's devices only; a paired device (the owner's) any.
    func revokeDevice(context: GraphQLContext, arguments: IDArguments) async throws -> RevokeDeviceResultObject? {
        let caller = try context.requireDevice()
        let id = arguments.id.rawValue.lowercased()
        if let user = caller.userID, try await context.devices.device(id: id)?.userID != user {
            throw GraphQLContext.Error.notFound("Device \(arguments.id.rawValue)")
        }
        let revoked = try await context.devices.revokeDevice(id: id)
        if revoked { await context.onRevoke(id) }
        let device = try await context.devices.device(id: id).map { DeviceObject($0, now: Date()) }
        return RevokeDeviceResultObject(success: revoked, device: revoked ? device : nil)
    }

    /// The playlist covers the whole file from media time 0 (FULL, §14.4); `startPosition` only
    /// tells the player where to begin, so the result's `startPosition` is 0 (stock: "In FULL …
    /// start_position is always 0").
    func startStreamingSession(context: GraphQLContext, arguments: StartStreamingArguments) async throws
        -> StreamingSessionObject?
    {
        guard let streaming = context.streaming else { throw GraphQLContext.Error.streamingUnavailable }
        guard let file = try await context.library.mediaFile(id: arguments.fileId.rawValue) else {
            throw GraphQLContext.Error.notFound("File \(arguments.fileId.rawValue)")
        }
        if let start = arguments.startPosition, start < 0 {
            throw GraphQLContext.Error.invalidArgument("startPosition must be 0 or more.")
        }
        if let height = arguments.maxHeight, !(64...8640).contains(height) {
            throw GraphQLContext.Error.invalidArgument("maxHeight must be between 64 and 8640.")
        }
        let session = try await streaming.start(file: file, strategy: arguments.strategy,
                                                startPosition: arguments.startPosition.map(Double.init), maxHeight: arguments.maxHeight)
        // FULL: positions are media positions and the stream starts at 0; WINDOW: it starts where asked.
        return StreamingSessionObject(sessionId: session.sessionID, duration: session.duration > 0 ? session.duration : nil,
                                      startPosition: session.coversWholeFile ? 0 : Int(session.startPosition.rounded(.down)),
                                      maxHeight: session.maxHeight, playlistMode: session.coversWholeFile ? .full : .window)
    }

    func endStreamingSession(context: GraphQLContext, arguments: EndStreamingArguments) async throws -> Bool? {
        guard let streaming = context.streaming else { throw GraphQLContext.Error.streamingUnavailable }
        return try await streaming.end(sessionID: arguments.sessionId)
    }
}
