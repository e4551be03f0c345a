import Foundation

/// Builds GraphQL objects from catalog records, with progress and files loaded once per request.
struct CatalogView: Sendable {
    var progress: [String: ProgressRecord]
    var files: [String: [MediaFileRecord]]

    static func load(_ library: MediaLibrary) async throws -> CatalogView {
        CatalogView(progress: try await library.progressMap(), files: try await library.filesByItem())
    }

    func runtime(_ itemID: String) -> Int? {
        guard let seconds = files[itemID]?.map(\.duration).max(), seconds > 0 else { return nil }
        return Int((seconds / 60).rounded(.up))
    }

    func fileObjects(_ itemID: String) -> [MediaFileObject] { (files[itemID] ?? []).map(MediaFileObject.init) }

    func movie(_ m: MovieRecord) -> MovieObject {
        MovieObject(id: ItemID(m.id), title: m.title, year: m.year, overview: m.overview, runtime: runtime(m.id),
                    genres: m.genres, artwork: ArtworkObject(kind: .movie, id: m.id), progress: progress[m.id].map(ProgressObject.init),
                    files: fileObjects(m.id), addedAt: DateTimeValue(m.addedAt))
    }

    /// An episode; `show` is its show's scalar fields (`Episode.show { id title }`, §14.1).
    func episode(_ e: EpisodeRecord, show: ShowRecord?) -> EpisodeObject {
        EpisodeObject(id: ItemID(e.id), seasonNumber: e.seasonNumber,
                      episodeNumber: e.episodeNumber, title: e.title, overview: e.overview, airDate: e.airDate.map(DateValue.init),
                      runtime: runtime(e.id), progress: progress[e.id].map(ProgressObject.init),
                      files: fileObjects(e.id), showBox: show.map { Boxed(Self.showHeader($0)) })
    }

    /// A show's own fields, without seasons or next episode.
    static func showHeader(_ s: ShowRecord) -> TvShowObject {
        TvShowObject(id: ItemID(s.id), title: s.title, year: s.year, overview: s.overview, status: s.status,
                     seasonCount: nil, episodeCount: nil, seasons: nil, nextEpisode: nil, artwork: ArtworkObject(kind: .show, id: s.id), addedAt: DateTimeValue(s.addedAt))
    }

    /// - Parameter episodes: the show's episodes in season/episode order.
    func show(_ s: ShowRecord, episodes: [EpisodeRecord]) -> TvShowObject {
        var counts: [Int: Int] = [:]
        for e in episodes { counts[e.seasonNumber, default: 0] += 1 }
        let seasons = counts.keys.sorted().map { SeasonObject(seasonNumber: $0, episodeCount: counts[$0]!) }
        return TvShowObject(id: ItemID(s.id), title: s.title, year: s.year, overview: s.overview, status: s.status,
                            seasonCount: seasons.count, episodeCount: episodes.count, seasons: seasons,
                            nextEpisode: nextEpisode(episodes).map { episode($0, show: s) }, artwork: ArtworkObject(kind: .show, id: s.id), addedAt: DateTimeValue(s.addedAt))
    }

    /// The episode to play next: the most recently watched one if unfinished, else the first
    /// unwatched one after it; the first episode when nothing was watched; `nil` when all are watched.
    func nextEpisode(_ episodes: [EpisodeRecord]) -> EpisodeRecord? {
        let latest = episodes.indices
            .filter { progress[episodes[$0].id] != nil }
            .max { progress[episodes[$0].id]!.lastWatchedAt < progress[episodes[$1].id]!.lastWatchedAt }
        guard let latest else { return episodes.first }
        if progress[episodes[latest].id]?.watched == false { return episodes[latest] }
        let unwatched = { (e: EpisodeRecord) in progress[e.id]?.watched != true }
        return episodes[(latest + 1)...].first(where: unwatched) ?? episodes.first(where: unwatched)
    }
}
