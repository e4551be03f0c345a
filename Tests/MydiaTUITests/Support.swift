import Foundation
import MydiaAPI
@testable import MydiaTUI

/// Shared helpers for the view-model tests (no terminal involved).
enum T {
    static func utf8() { setlocale(LC_ALL, "C.UTF-8") }

    static func movies(_ count: Int, pageSize: Int = 100) throws -> [Connection<Movie>] {
        try SyntheticCatalog.moviePages(count: count, pageSize: pageSize)
    }

    static func show(id: String = "s1", title: String = "Signal Hour", seasons: [(Int, Int)] = [(1, 3), (2, 2)]) throws -> TvShow {
        try SyntheticCatalog.decode(TvShow.self, [
            "id": id, "title": title, "year": 2021, "overview": "Engineers chase a stray test signal.", "status": "ended",
            "seasonCount": seasons.count, "episodeCount": seasons.reduce(0) { $0 + $1.1 },
            "seasons": seasons.map { ["seasonNumber": $0.0, "episodeCount": $0.1] }, "nextEpisode": NSNull(), "artwork": NSNull(),
        ] as [String: Any])
    }

    static func shows(_ list: [TvShow]) throws -> Connection<TvShow> {
        let data = try JSONEncoder().encode(list)
        let nodes = try JSONSerialization.jsonObject(with: data) as! [Any]
        return try SyntheticCatalog.decode(Connection<TvShow>.self, [
            "edges": nodes.enumerated().map { ["cursor": "s\($0.offset)", "node": $0.element] },
            "pageInfo": ["hasNextPage": false, "endCursor": "s\(list.count)"], "totalCount": list.count,
        ] as [String: Any])
    }

    /// An episode; `progress` is (position, duration, watched) in seconds.
    static func episode(_ n: Int, season: Int = 1, show: String = "s1", title: String,
                        progress: (Double, Double, Bool)? = nil) throws -> Episode {
        let stored: Any = progress.map { p in
            ["positionSeconds": p.0, "durationSeconds": p.1, "percentage": 100 * p.0 / p.1, "watched": p.2, "lastWatchedAt": NSNull()] as [String: Any]
        } ?? NSNull()
        return try SyntheticCatalog.decode(Episode.self, [
            "id": "e\(season)-\(n)", "show": ["id": show, "title": "Signal Hour"], "seasonNumber": season, "episodeNumber": n, "title": title,
            "overview": "Episode \(n).", "airDate": "2021-03-0\(n)", "runtime": 1, "progress": stored,
            "files": [["id": "file-e\(season)-\(n)", "resolution": "320x240", "codec": "h264", "audioCodec": "aac", "size": 2e5, "bitrate": NSNull(), "duration": 2.0]],
        ] as [String: Any])
    }

    /// A state after `sessionOpened` with movies and shows loaded.
    static func browsing(rows: Int = 30, columns: Int = 100, movies: Int = 3, playback: Bool = true) throws -> AppState {
        var state = AppState(rows: rows, columns: columns, paired: true, playbackAvailable: playback)
        _ = state.reduce(.sessionOpened(serverName: "Wohnzimmer", relay: "http://127.0.0.1:4000"))
        _ = state.reduce(.loaded(.movies(try Self.movies(movies)[0], replacing: true)))
        _ = state.reduce(.loaded(.shows(try Self.shows([try show()]), replacing: true)))
        _ = state.reduce(.loaded(.home(continueWatching: [], recentlyAdded: [])))
        return state
    }

    static func keys(_ state: inout AppState, _ keys: Key...) -> [Effect] {
        var effects: [Effect] = []
        for k in keys { effects += state.reduce(.key(k)) }
        return effects
    }

    static func text(_ state: AppState) -> String { Renderer.frame(state).text }
}
