/// Item kinds. On the wire they are stock Mydia's `MediaType` / `SearchResultType` enum values
/// (`MOVIE`, `TV_SHOW`, `EPISODE`, PROTOCOL.md §14.1); the raw values are the client's own names
/// (CLI arguments, cache keys).
public enum MediaKind: String, Sendable, Codable, CaseIterable {
    case movie, show, episode

    /// The kind a wire enum value names; `nil` for kinds this client does not browse (`COLLECTION`).
    public init?(wire: String) {
        switch wire.uppercased() {
        case "MOVIE": self = .movie
        case "TV_SHOW": self = .show
        case "EPISODE": self = .episode
        default: return nil
        }
    }

    /// The wire enum value (`MediaType`).
    public var wireName: String {
        switch self {
        case .movie: "MOVIE"
        case .show: "TV_SHOW"
        case .episode: "EPISODE"
        }
    }
}
