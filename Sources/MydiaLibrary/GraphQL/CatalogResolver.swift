import Foundation
import Graphiti
import MydiaWire

/// Root `Query` resolvers (PROTOCOL.md §7, §11.8, §12.17).
struct CatalogResolver: Sendable {
    struct PageArguments: Codable, Sendable { var first: Int?; var after: String?; var sort: SortInputObject? }
    /// `recentlyAdded(first, after, types)`: `after` is the offset cursor of the previous page.
    struct RailArguments: Codable, Sendable { var first: Int?; var after: String?; var types: [MediaTypeValue?]? }
    struct IDArguments: Codable, Sendable { var id: ItemID }
    struct SeasonArguments: Codable, Sendable { var showId: ItemID; var seasonNumber: Int }
    struct SearchArguments: Codable, Sendable { var query: String; var types: [SearchTypeValue?]?; var first: Int? }
    struct FirstArguments: Codable, Sendable { var first: Int?; var after: String? }

    /// Default and cap for `search`, `continueWatching` and `recentlyAdded` lists.
    static let defaultListSize = 20

    func movies(context: GraphQLContext, arguments: PageArguments) async throws -> MovieConnectionObject {
        let sort = arguments.sort
        let movies = try await context.library.movies()
            .map { (record: $0, key: LibrarySort.key(sort, title: $0.title, year: $0.year, addedAt: $0.addedAt, rating: nil)) }
            .sorted { $0.key != $1.key ? $0.key < $1.key : $0.record.id < $1.record.id }.map(\.record)
        let page = try CursorPage(sorted: movies, key: { (LibrarySort.key(sort, title: $0.title, year: $0.year, addedAt: $0.addedAt, rating: nil), $0.id) },
                                  first: arguments.first, after: arguments.after)
        let view = try await CatalogView.load(context.library)
        return MovieConnectionObject(
            edges: page.items.map { MovieEdgeObject(node: view.movie($0.item), cursor: $0.cursor) },
            pageInfo: PageInfoObject(hasNextPage: page.hasNextPage, hasPreviousPage: arguments.after != nil, endCursor: page.endCursor),
            totalCount: page.totalCount)
    }

    func tvShows(context: GraphQLContext, arguments: PageArguments) async throws -> TvShowConnectionObject {
        let sort = arguments.sort
        let shows = try await context.library.shows()
            .map { (record: $0, key: LibrarySort.key(sort, title: $0.title, year: $0.year, addedAt: $0.addedAt, rating: nil)) }
            .sorted { $0.key != $1.key ? $0.key < $1.key : $0.record.id < $1.record.id }.map(\.record)
        let page = try CursorPage(sorted: shows, key: { (LibrarySort.key(sort, title: $0.title, year: $0.year, addedAt: $0.addedAt, rating: nil), $0.id) },
                                  first: arguments.first, after: arguments.after)
        let view = try await CatalogView.load(context.library)
        var edges: [TvShowEdgeObject] = []
        for (show, cursor) in page.items {
            let episodes = try await context.library.episodes(showID: show.id)
            edges.append(TvShowEdgeObject(node: view.show(show, episodes: episodes), cursor: cursor))
        }
        return TvShowConnectionObject(
            edges: edges,
            pageInfo: PageInfoObject(hasNextPage: page.hasNextPage, hasPreviousPage: arguments.after != nil, endCursor: page.endCursor),
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

    func seasonEpisodes(context: GraphQLContext, arguments: SeasonArguments) async throws -> [EpisodeObject]? {
        let episodes = try await context.library.episodes(showID: arguments.showId.rawValue, season: arguments.seasonNumber)
        let show = try await context.library.show(id: arguments.showId.rawValue)
        let view = try await CatalogView.load(context.library)
        return episodes.map { view.episode($0, show: show) }
    }

    func episode(context: GraphQLContext, arguments: IDArguments) async throws -> EpisodeObject? {
        guard let episode = try await context.library.episode(id: arguments.id.rawValue) else { return nil }
        let show = try await context.library.show(id: episode.showID)
        return try await CatalogView.load(context.library).episode(episode, show: show)
    }

    func search(context: GraphQLContext, arguments: SearchArguments) async throws -> SearchResultObject {
        let limit = try CursorPage<Int>.pageSize(arguments.first ?? Self.defaultListSize)
        let needle = LibraryNames.folded(DisplayText.sanitized(arguments.query).trimmingCharacters(in: .whitespaces))
        guard !needle.isEmpty else { return SearchResultObject(totalCount: 0, sections: [], limit: limit) }
        func matches(_ title: String) -> Bool { LibraryNames.folded(title).contains(needle) }
        // `types` narrows the sections; absent or empty means every type.
        let wanted = Set((arguments.types ?? []).compactMap { $0 })
        func wants(_ type: MediaTypeValue) -> Bool { wanted.isEmpty || wanted.contains(SearchTypeValue(type)) }

        let library = context.library
        let shows = try await library.shows()
        let showTitles = Dictionary(uniqueKeysWithValues: shows.map { ($0.id, $0.title) })
        let movies = wants(.movie) ? try await library.movies().filter { matches($0.title) } : []
        let matchedShows = wants(.tvShow) ? shows.filter { matches($0.title) } : []
        let episodes = wants(.episode) ? try await library.allEpisodes().filter { matches($0.title) }
            .sorted { Self.titleOrder($0.title, $0.id, $1.title, $1.id) } : []

        var sections: [SearchSectionObject] = []
        if !movies.isEmpty {
            sections.append(SearchSectionObject(type: .movie, totalCount: movies.count,
                                                results: movies.prefix(limit).map { Self.item(.movie($0)) }))
        }
        if !matchedShows.isEmpty {
            sections.append(SearchSectionObject(type: .tvShow, totalCount: matchedShows.count,
                                                results: matchedShows.prefix(limit).map { Self.item(.show($0)) }))
        }
        if !episodes.isEmpty {
            sections.append(SearchSectionObject(
                type: .episode, totalCount: episodes.count,
                results: episodes.prefix(limit).map { Self.item(.episode($0), showTitle: showTitles[$0.showID]) }))
        }
        return SearchResultObject(totalCount: movies.count + matchedShows.count + episodes.count, sections: sections, limit: limit)
    }

    /// Newest first: movies, and shows by their newest episode (with its number). `after` is the
    /// offset where the previous page ended (these lists have no cursors of their own in stock).
    func recentlyAdded(context: GraphQLContext, arguments: RailArguments) async throws -> [RecentlyAddedObject]? {
        let limit = try CursorPage<Int>.pageSize(arguments.first ?? Self.defaultListSize)
        let skip = try Self.offset(arguments.after)
        let wanted = Set((arguments.types ?? []).compactMap { $0 })
        var out: [RecentlyAddedObject] = []
        for item in try await context.library.recentlyAdded(limit: skip + limit).dropFirst(skip) {
            switch item {
            case .movie(let m) where wanted.isEmpty || wanted.contains(.movie):
                out.append(RecentlyAddedObject(id: ItemID(m.id), type: .movie, title: m.title, year: m.year, artwork: ArtworkObject(kind: .movie, id: m.id),
                                               addedAt: DateTimeValue(m.addedAt), latestSeasonNumber: nil, latestEpisodeNumber: nil))
            case .show(let s) where wanted.isEmpty || wanted.contains(.tvShow):
                let latest = try await context.library.episodes(showID: s.id).max { ($0.addedAt, $0.seasonNumber, $0.episodeNumber) < ($1.addedAt, $1.seasonNumber, $1.episodeNumber) }
                out.append(RecentlyAddedObject(id: ItemID(s.id), type: .tvShow, title: s.title, year: s.year, artwork: ArtworkObject(kind: .show, id: s.id),
                                               addedAt: DateTimeValue(latest?.addedAt ?? s.addedAt),
                                               latestSeasonNumber: latest?.seasonNumber, latestEpisodeNumber: latest?.episodeNumber))
            default:
                continue
            }
        }
        return out
    }

    /// An offset cursor: a decimal count of items already seen.
    static func offset(_ after: String?) throws -> Int {
        guard let after else { return 0 }
        guard let n = Int(after), n >= 0, n <= 100_000 else {
            throw GraphQLContext.Error.invalidArgument("after must be the count of items already seen.")
        }
        return n
    }

    func continueWatching(context: GraphQLContext, arguments: FirstArguments) async throws -> [ContinueItemObject]? {
        let limit = try CursorPage<Int>.pageSize(arguments.first ?? Self.defaultListSize)
        let skip = try Self.offset(arguments.after)
        let entries = try await context.library.continueWatching(limit: skip + limit).dropFirst(skip)
        let view = try await CatalogView.load(context.library)
        var items: [ContinueItemObject] = []
        for (item, progress) in entries {
            switch item {
            case .movie(let m):
                items.append(ContinueItemObject(
                    id: ItemID(m.id), type: .movie, title: m.title, progress: ProgressObject(progress),
                    showId: nil, showTitle: nil, seasonNumber: nil, episodeNumber: nil, files: view.fileObjects(m.id)))
            case .episode(let e):
                let show = try await context.library.show(id: e.showID)
                items.append(ContinueItemObject(
                    id: ItemID(e.id), type: .episode, title: e.title, progress: ProgressObject(progress),
                    showId: ItemID(e.showID), showTitle: show?.title, seasonNumber: e.seasonNumber,
                    episodeNumber: e.episodeNumber, files: view.fileObjects(e.id)))
            case .show:
                continue
            }
        }
        return items
    }

    func serverCompatibility(context: GraphQLContext, arguments: NoArguments) -> ServerCompatibilityObject? {
        context.compatibility
    }

    /// A login device sees its own user's devices; a paired device (the owner's) every device.
    func devices(context: GraphQLContext, arguments: NoArguments) async throws -> [DeviceObject]? {
        let caller = try context.requireDevice()
        let now = Date()
        let list: [DeviceRecord]
        if let user = caller.userID { list = try await context.devices.devices(ofUser: user) } else { list = try await context.devices.listDevices() }
        return list.map { DeviceObject($0, now: now) }
    }

    struct CandidatesArguments: Codable, Sendable { var contentType: String; var id: ItemID }

    /// `streamingCandidates(contentType: "movie"|"episode"|"file", id:)`: how the caller's player can
    /// get the item's first file, most preferred first (§14.2.6, §14.2.7).
    func streamingCandidates(context: GraphQLContext, arguments: CandidatesArguments) async throws -> StreamingCandidatesObject? {
        let id = arguments.id.rawValue
        let file: MediaFileRecord?
        switch arguments.contentType.lowercased() {
        case "movie", "episode": file = try await context.library.files(itemID: id).first
        case "file": file = try await context.library.mediaFile(id: id)
        default: throw GraphQLContext.Error.invalidArgument("contentType must be movie, episode or file.")
        }
        guard let file else { throw GraphQLContext.Error.notFound("\(arguments.contentType.capitalized) \(id)") }
        return StreamingCandidatesObject(StreamingCandidates(file: file, profile: context.deviceProfile))
    }

    static func item(_ item: LibraryItem, showTitle: String? = nil) -> SearchItemObject {
        switch item {
        case .movie(let m):
            SearchItemObject(id: ItemID(m.id), type: .movie, title: m.title, year: m.year,
                             subtitle: m.genres.isEmpty ? nil : m.genres.joined(separator: ", "),
                             seasonNumber: nil, episodeNumber: nil, parentId: nil)
        case .show(let s):
            SearchItemObject(id: ItemID(s.id), type: .tvShow, title: s.title, year: s.year, subtitle: s.status,
                             seasonNumber: nil, episodeNumber: nil, parentId: nil)
        case .episode(let e):
            SearchItemObject(id: ItemID(e.id), type: .episode, title: e.title, year: nil,
                             subtitle: showTitle,
                             seasonNumber: e.seasonNumber, episodeNumber: e.episodeNumber, parentId: ItemID(e.showID))
        }
    }

    static func titleOrder(_ a: String, _ aID: String, _ b: String, _ bID: String) -> Bool {
        MediaLibrary.titleOrder(a, aID, b, bID)
    }
}
