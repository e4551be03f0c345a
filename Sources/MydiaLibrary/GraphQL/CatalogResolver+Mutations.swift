import Foundation
import Graphiti
import MydiaWire

/// Root `Mutation` resolvers (PROTOCOL.md §7, §11.3, §12.14, §12.17).
extension CatalogResolver {
    struct MovieProgressArguments: Codable, Sendable {
        var movieId: ItemID
        var positionSeconds: Double
        var durationSeconds: Double
        var watchedAt: String?
    }

    struct EpisodeProgressArguments: Codable, Sendable {
        var episodeId: ItemID
        var positionSeconds: Double
        var durationSeconds: Double
        var watchedAt: String?
    }

    struct MarkWatchedArguments: Codable, Sendable { var movieId: ItemID; var watched: Bool }
    struct DeviceTokenArguments: Codable, Sendable { var deviceToken: String }
    struct TokenArguments: Codable, Sendable { var token: String }
    struct StartStreamingArguments: Codable, Sendable {
        var fileId: ItemID
        var strategy: StreamingStrategyChoice?
        var startPosition: Double?
    }
    struct EndStreamingArguments: Codable, Sendable { var sessionId: ItemID }

    func updateMovieProgress(context: GraphQLContext, arguments: MovieProgressArguments) async throws -> ProgressObject {
        guard try await context.library.movie(id: arguments.movieId.rawValue) != nil else {
            throw GraphQLContext.Error.notFound("Movie \(arguments.movieId.rawValue)")
        }
        return ProgressObject(try await context.library.updateProgress(
            itemID: arguments.movieId.rawValue, position: arguments.positionSeconds,
            duration: arguments.durationSeconds, watchedAt: try Self.date(arguments.watchedAt)))
    }

    func updateEpisodeProgress(context: GraphQLContext, arguments: EpisodeProgressArguments) async throws -> ProgressObject {
        guard try await context.library.episode(id: arguments.episodeId.rawValue) != nil else {
            throw GraphQLContext.Error.notFound("Episode \(arguments.episodeId.rawValue)")
        }
        return ProgressObject(try await context.library.updateProgress(
            itemID: arguments.episodeId.rawValue, position: arguments.positionSeconds,
            duration: arguments.durationSeconds, watchedAt: try Self.date(arguments.watchedAt)))
    }

    func markMovieWatched(context: GraphQLContext, arguments: MarkWatchedArguments) async throws -> ProgressObject {
        guard try await context.library.movie(id: arguments.movieId.rawValue) != nil else {
            throw GraphQLContext.Error.notFound("Movie \(arguments.movieId.rawValue)")
        }
        return ProgressObject(try await context.library.setWatched(itemID: arguments.movieId.rawValue,
                                                                   watched: arguments.watched))
    }

    func refreshAccessToken(context: GraphQLContext, arguments: DeviceTokenArguments) async throws -> TokenResultObject {
        TokenResultObject(try await context.devices.refreshAccessToken(deviceToken: arguments.deviceToken))
    }

    func refreshMediaToken(context: GraphQLContext, arguments: TokenArguments) async throws -> TokenResultObject {
        let device = try context.requireDevice()
        return TokenResultObject(try await context.devices.refreshMediaToken(current: arguments.token,
                                                                             bearerDevice: device))
    }

    func revokeDevice(context: GraphQLContext, arguments: IDArguments) async throws -> Bool {
        _ = try context.requireDevice()
        let revoked = try await context.devices.revokeDevice(id: arguments.id.rawValue.lowercased())
        if revoked { await context.onRevoke(arguments.id.rawValue.lowercased()) }
        return revoked
    }

    func startStreamingSession(context: GraphQLContext, arguments: StartStreamingArguments) async throws
        -> StreamingSessionObject
    {
        guard let streaming = context.streaming else { throw GraphQLContext.Error.streamingUnavailable }
        guard let file = try await context.library.mediaFile(id: arguments.fileId.rawValue) else {
            throw GraphQLContext.Error.notFound("File \(arguments.fileId.rawValue)")
        }
        if let start = arguments.startPosition, !(start.isFinite && start >= 0) {
            throw GraphQLContext.Error.invalidArgument("startPosition must be a number ≥ 0.")
        }
        let session = try await streaming.start(file: file, strategy: arguments.strategy,
                                                startPosition: arguments.startPosition)
        return StreamingSessionObject(sessionId: ItemID(session.sessionID), duration: session.duration,
                                      startPosition: session.startPosition)
    }

    func endStreamingSession(context: GraphQLContext, arguments: EndStreamingArguments) async throws -> Bool {
        guard let streaming = context.streaming else { throw GraphQLContext.Error.streamingUnavailable }
        return try await streaming.end(sessionID: arguments.sessionId.rawValue)
    }

    /// `watchedAt` (RFC 3339, PROTOCOL.md §12.17), `nil` = now.
    static func date(_ text: String?) throws -> Date? {
        guard let text else { return nil }
        guard let date = WireTime.parse(text) else {
            throw GraphQLContext.Error.invalidArgument("watchedAt must be an RFC 3339 time such as 2030-01-01T00:00:00Z.")
        }
        return date
    }
}
