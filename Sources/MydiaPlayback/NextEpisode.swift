import MydiaAPI

/// Which episode autoplay starts after one ends: the next number in the same season, else the
/// first episode of the next season that has any.
enum NextEpisode {
    static func after(_ episode: Episode, api: APIClient) async throws -> Episode? {
        guard let showId = episode.showId else { return nil }
        let season = try await api.seasonEpisodes(showId: showId, seasonNumber: episode.seasonNumber)
        if let next = season.filter({ $0.episodeNumber > episode.episodeNumber }).min(by: { $0.episodeNumber < $1.episodeNumber }) {
            return next
        }
        guard let show = try await api.tvShow(id: showId) else { return nil }
        for number in show.seasons.map(\.seasonNumber).sorted() where number > episode.seasonNumber {
            let episodes = try await api.seasonEpisodes(showId: showId, seasonNumber: number)
            if let first = episodes.min(by: { $0.episodeNumber < $1.episodeNumber }) { return first }
        }
        return nil
    }
}
