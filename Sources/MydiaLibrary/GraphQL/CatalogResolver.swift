import Foundation
import Graphiti
import MydiaWire

/// Root `Query` resolvers (PROTOCOL.md §7, §11.8, §12.17).
struct CatalogResolver: Sendable {
    struct PageArguments: Codable, Sendable { var first: Int?; var after: String? }
    struct IDArguments: Codable, Sendable { var id: ItemID }
    struct SeasonArguments: Codable, Sendable { var showId: ItemID; var seasonNumber: Int }
    struct SearchArguments: Codable, Sendable { var query: String; var first: Int? }
    struct FirstArguments: Codable, Sendable { var first: Int? }

    /// Default and cap for `search`, `continueWatching` and `recentlyAdded` lists.
    static let defaultListSize = 20

    func movies(context: GraphQLContext, arguments: PageArguments) async throws -> MovieConnectionObject {
        let movies = try await context.library.movies()
        let page = try CursorPage(sorted: movies, key: { (LibraryNames.folded($0.title), $0.id) },
                                  first: arguments.first, after: arguments.after)
        let view = try await CatalogView.load(context.library)
        return MovieConnectionObject(
            edges: page.items.map { MovieEdgeObject(node: view.movie($0.item), cursor: $0.cursor) },
            pageInfo: PageInfoObject(hasNextPage: page.hasNextPage, endCursor: page.endCursor),
            totalCount: page.totalCount)
    }

    func tvShows(context: GraphQLContext, arguments: PageArguments) async throws -> TvShowConnectionObject {
        let shows = try await context.library.shows()
        let page = try CursorPage(sorted: shows, key: { (LibraryNames.folded($0.title), $0.id) },
                                  first: arguments.first, after: arguments.after)
        let view = try await CatalogView.load(context.library)
        var edges: [TvShowEdgeObject] = []
        for (show, cursor) in page.items {
            let episodes = try await context.library.episodes(showID: show.id)
            edges.append(TvShowEdgeObject(node: view.show(show, episodes: episodes), cursor: cursor))
        }
        return TvShowConnectionObject(
            edges: edges, pageInfo: PageInfoObject(hasNextPage: page.hasNextPage, endCursor: page.endCursor),
            totalCount: page.totalCount)
    }

    func movie(context: GraphQLContext, arguments: IDArguments) async throws -> MovieObject? {
        guard let movie = try await context.library.movie(id: arguments.id.rawValue) else { return nil }
        return try await CatalogView.load(context.library).movie(movie)
    }

    func tvShow(context: GraphQLContext, arguments: IDArguments) async throws -> TvShowObject? {
        guard let show = try await context.library.show(id: arguments.id.rawValue) else { return nil }
        let episodes = try await context.library.episodes(showID: show.id)
        return try await CatalogView.load(context.library).show(show, episodes: episodes)
    }

    func seasonEpisodes(context: GraphQLContext, arguments: SeasonArguments) async throws -> [EpisodeObject] {
        let episodes = try await context.library.episodes(showID: arguments.showId.rawValue, season: arguments.seasonNumber)
        let view = try await CatalogView.load(context.library)
        return episodes.map(view.episode)
    }

    func episode(context: GraphQLContext, arguments: IDArguments) async throws -> EpisodeObject? {
        guard let episode = try await context.library.episode(id: arguments.id.rawValue) else { return nil }
        return try await CatalogView.load(context.library).episode(episode)
    }

    func search(context: GraphQLContext, arguments: SearchArguments) async throws -> SearchResultObject {
        let limit = try CursorPage<Int>.pageSize(arguments.first ?? Self.defaultListSize)
        let needle = LibraryNames.folded(DisplayText.sanitized(arguments.query).trimmingCharacters(in: .whitespaces))
        guard !needle.isEmpty else { return SearchResultObject(totalCount: 0, sections: []) }
        func matches(_ title: String) -> Bool { LibraryNames.folded(title).contains(needle) }

        let library = context.library
        let shows = try await library.shows()
        let showTitles = Dictionary(uniqueKeysWithValues: shows.map { ($0.id, $0.title) })
        let movies = try await library.movies().filter { matches($0.title) }
        let matchedShows = shows.filter { matches($0.title) }
        let episodes = try await library.allEpisodes().filter { matches($0.title) }
            .sorted { Self.titleOrder($0.title, $0.id, $1.title, $1.id) }

        var sections: [SearchSectionObject] = []
        if !movies.isEmpty {
            sections.append(SearchSectionObject(type: "movie", totalCount: movies.count,
                                                results: movies.prefix(limit).map { Self.item(.movie($0)) }))
        }
        if !matchedShows.isEmpty {
            sections.append(SearchSectionObject(type: "show", totalCount: matchedShows.count,
                                                results: matchedShows.prefix(limit).map { Self.item(.show($0)) }))
        }
        if !episodes.isEmpty {
            sections.append(SearchSectionObject(
                type: "episode", totalCount: episodes.count,
                results: episodes.prefix(limit).map { Self.item(.episode($0), showTitle: showTitles[$0.showID]) }))
        }
        return SearchResultObject(totalCount: movies.count + matchedShows.count + episodes.count, sections: sections)
    }

    func recentlyAdded(context: GraphQLContext, arguments: FirstArguments) async throws -> [SearchItemObject] {
        let limit = try CursorPage<Int>.pageSize(arguments.first ?? Self.defaultListSize)
        return try await context.library.recentlyAdded(limit: limit).map { Self.item($0) }
    }

    func continueWatching(context: GraphQLContext, arguments: FirstArguments) async throws -> [ContinueItemObject] {
        let limit = try CursorPage<Int>.pageSize(arguments.first ?? Self.defaultListSize)
        let entries = try await context.library.continueWatching(limit: limit)
        let view = try await CatalogView.load(context.library)
        var items: [ContinueItemObject] = []
        for (item, progress) in entries {
            switch item {
            case .movie(let m):
                items.append(ContinueItemObject(
                    id: ItemID(m.id), type: "movie", title: m.title, progress: ProgressObject(progress),
                    showId: nil, showTitle: nil, seasonNumber: nil, episodeNumber: nil, files: view.fileObjects(m.id)))
            case .episode(let e):
                let show = try await context.library.show(id: e.showID)
                items.append(ContinueItemObject(
                    id: ItemID(e.id), type: "episode", title: e.title, progress: ProgressObject(progress),
                    showId: ItemID(e.showID), showTitle: show?.title, seasonNumber: e.seasonNumber,
                    episodeNumber: e.episodeNumber, files: view.fileObjects(e.id)))
            case .show:
                continue
            }
        }
        return items
    }

    func serverCompatibility(context: GraphQLContext, arguments: NoArguments) -> ServerCompatibilityObject {
        context.compatibility
    }

    func devices(context: GraphQLContext, arguments: NoArguments) async throws -> [DeviceObject] {
        let current = try context.requireDevice()
        return try await context.devices.listDevices().map { DeviceObject($0, current: $0.id == current.id) }
    }

    static func item(_ item: LibraryItem, showTitle: String? = nil) -> SearchItemObject {
        switch item {
        case .movie(let m):
            SearchItemObject(id: ItemID(m.id), type: "movie", title: m.title, year: m.year,
                             subtitle: m.genres.isEmpty ? nil : m.genres.joined(separator: ", "),
                             seasonNumber: nil, episodeNumber: nil, parentId: nil)
        case .show(let s):
            SearchItemObject(id: ItemID(s.id), type: "show", title: s.title, year: s.year, subtitle: s.status,
                             seasonNumber: nil, episodeNumber: nil, parentId: nil)
        case .episode(let e):
            SearchItemObject(id: ItemID(e.id), type: "episode", title: e.title, year: nil,
                             subtitle: showTitle.map { "\($0) · S\(pad(e.seasonNumber))E\(pad(e.episodeNumber))" },
                             seasonNumber: e.seasonNumber, episodeNumber: e.episodeNumber, parentId: ItemID(e.showID))
        }
    }

    private static func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    static func titleOrder(_ a: String, _ aID: String, _ b: String, _ bID: String) -> Bool {
        MediaLibrary.titleOrder(a, aID, b, bID)
    }
}
