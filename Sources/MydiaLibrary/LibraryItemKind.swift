/// Item `type` strings on the wire (PROTOCOL.md §12.17).
public enum LibraryItemKind: String, Sendable, Codable, CaseIterable {
    case movie, show, episode
}
