import Foundation
import Graphiti

/// `UpNextItem`: the next episode of a show the user is part way through.
struct UpNextItemObject: Sendable {
    var episode: EpisodeObject
    var show: TvShowObject
    /// `continue` (the episode has a resume point), `next` (the one after a finished episode) or
    /// `start` (nothing watched yet; not listed here).
    var progressState: String
}

/// `markSeasonWatched` / `markSeasonUnwatched` and the `upNext` rail.
extension CatalogResolver {
    struct ShowSeasonArguments: Codable, Sendable { var showId: ItemID; var seasonNumber: Int }

    func markSeasonWatched(context: GraphQLContext, arguments: ShowSeasonArguments) async throws -> TvShowObject? {
        try await markSeason(context, arguments, watched: true)
    }

    func markSeasonUnwatched(context: GraphQLContext, arguments: ShowSeasonArguments) async throws -> TvShowObject? {
        try await markSeason(context, arguments, watched: false)
    }

    /// Marks every episode of the season; an unknown show or a season without episodes is an error.
    private func markSeason(_ context: GraphQLContext, _ arguments: ShowSeasonArguments, watched: Bool) async throws -> TvShowObject {
        let id = arguments.showId.rawValue
        guard let show = try await context.library.show(id: id) else { throw GraphQLContext.Error.notFound("Show \(id)") }
        let season = try await context.library.episodes(showID: id, season: arguments.seasonNumber)
        guard !season.isEmpty else { throw GraphQLContext.Error.notFound("Season \(arguments.seasonNumber) of show \(id)") }
        for episode in season { _ = try await context.library.setWatched(itemID: episode.id, watched: watched) }
        let episodes = try await context.library.episodes(showID: id)
        return try await CatalogView.load(context.library).show(show, episodes: episodes)
    }

    /// Shows with at least one finished episode and an unwatched one to go, whose next episode
    /// has no resume point (those are on Continue watching), most recently watched first.
    func upNext(context: GraphQLContext, arguments: FirstArguments) async throws -> [UpNextItemObject]? {
        let limit = try CursorPage<Int>.pageSize(arguments.first ?? Self.defaultListSize)
        let skip = try Self.offset(arguments.after)
        let view = try await CatalogView.load(context.library)
        var candidates: [(at: Date, item: UpNextItemObject)] = []
        for show in try await context.library.shows() {
            let episodes = try await context.library.episodes(showID: show.id)
            let finished = episodes.compactMap { view.progress[$0.id] }.filter(\.watched)
            guard let last = finished.map(\.lastWatchedAt).max(), let next = view.nextEpisode(episodes),
                  view.progress[next.id]?.watched != true, (view.progress[next.id]?.position ?? 0) <= 0 else { continue }
            candidates.append((last, UpNextItemObject(episode: view.episode(next, show: show), show: view.show(show, episodes: episodes),
                                                      progressState: "next")))
        }
        let ordered = candidates.sorted { $0.at != $1.at ? $0.at > $1.at : $0.item.show.id.rawValue < $1.item.show.id.rawValue }
        return ordered.dropFirst(skip).prefix(limit).map(\.item)
    }
}
