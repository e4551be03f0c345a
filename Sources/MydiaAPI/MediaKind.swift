/// Item kinds as the instance names them (PROTOCOL.md §12.17).
public enum MediaKind: String, Sendable, Codable, CaseIterable {
    case movie, show, episode
}
