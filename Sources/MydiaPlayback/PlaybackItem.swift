public import MydiaAPI

/// What is played: a movie or an episode, as the instance describes it.
public enum PlaybackItem: Sendable, Hashable {
    case movie(Movie)
    case episode(Episode)

    /// Which item progress belongs to.
    public struct Reference: Sendable, Hashable {
        /// Movie or episode.
        public enum Kind: String, Sendable, Hashable { case movie, episode }
        /// Movie or episode.
        public var kind: Kind
        /// The item id.
        public var id: String

        public init(kind: Kind, id: String) {
            self.kind = kind
            self.id = id
        }
    }

    /// Why an item cannot be played; `description` is one sentence for the user.
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// No movie or episode has this id.
        case notFound(String)
        /// The item has no playable file.
        case noFile(String)

        public var description: String {
            switch self {
            case .notFound(let id): "No movie or episode has the id \(id) — look it up with `mydia-tui ls` or `search`."
            case .noFile(let title): "“\(title)” has no playable file on the server."
            }
        }
    }

    /// Looks `id` up as a movie and as an episode at once (one round trip, not two, for an episode).
    public static func resolve(id: String, api: APIClient) async throws -> PlaybackItem {
        async let episode = api.episode(id: id)
        if let movie = try await api.movie(id: id) { return .movie(movie) }
        if let episode = try await episode { return .episode(episode) }
        throw Error.notFound(id)
    }

    /// The reference for progress.
    public var reference: Reference {
        switch self {
        case .movie(let movie): Reference(kind: .movie, id: movie.id)
        case .episode(let episode): Reference(kind: .episode, id: episode.id)
        }
    }

    /// The title mpv shows (`force-media-title`): the movie title, or `S01E02 · Title` for an episode.
    public var displayTitle: String {
        switch self {
        case .movie(let movie): return movie.year.map { "\(movie.title) (\($0))" } ?? movie.title
        case .episode(let e):
            let code = "S" + Self.twoDigits(e.seasonNumber) + "E" + Self.twoDigits(e.episodeNumber)
            return code + " · " + e.displayTitle
        }
    }

    /// The file to stream (the first one).
    public var file: MediaFile? { files.first }

    /// Every playable file, as the instance lists them.
    public var files: [MediaFile] {
        switch self {
        case .movie(let movie): movie.files
        case .episode(let episode): episode.files
        }
    }

    /// The runtime the catalog gives, in seconds, if any (a duration of last resort).
    public var runtimeSeconds: Double? {
        switch self {
        case .movie(let movie): movie.runtime.map { Double($0 * 60) }
        case .episode(let episode): episode.runtime.map { Double($0 * 60) }
        }
    }

    /// The stored progress, if any.
    public var progress: Progress? {
        switch self {
        case .movie(let movie): movie.progress
        case .episode(let episode): episode.progress
        }
    }

    private static func twoDigits(_ n: Int) -> String { n < 10 && n >= 0 ? "0\(n)" : "\(n)" }
}

/// Progress over the instance's GraphQL mutations, in whole seconds (PROTOCOL.md §14.1).
public struct APIProgressSink: ProgressSink {
    private let api: APIClient

    public init(api: APIClient) { self.api = api }

    public func store(_ report: ProgressReport) async throws {
        switch report.item.kind {
        case .movie:
            try await api.updateMovieProgress(movieId: report.item.id, positionSeconds: report.wholePosition,
                                              durationSeconds: report.wholeDuration)
        case .episode:
            try await api.updateEpisodeProgress(episodeId: report.item.id, positionSeconds: report.wholePosition,
                                                durationSeconds: report.wholeDuration)
        }
    }

    public func markWatched(_ item: PlaybackItem.Reference) async throws {
        switch item.kind {
        case .movie: try await api.markMovieWatched(movieId: item.id, watched: true)
        case .episode: try await api.markEpisodeWatched(episodeId: item.id, watched: true)
        }
    }
}
