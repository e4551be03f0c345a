/// One of mpv's tracks of the current file (`track-list`), for the TUI's track keys.
public struct PlayerTrack: Sendable, Hashable {
    /// Audio, subtitle or video.
    public enum Kind: String, Sendable, Hashable {
        case audio, sub, video
    }

    /// mpv's id among tracks of its kind (`aid`/`sid`), from 1.
    public var id: Int
    /// Audio, subtitle or video.
    public var kind: Kind
    /// Its language tag, if any.
    public var language: String?
    /// Its title, if any.
    public var title: String?
    /// Whether it plays now.
    public var selected: Bool
    /// Added from outside the file (a server subtitle track).
    public var external: Bool

    /// Reads one entry of mpv's `track-list`; nil when it is not a track.
    init?(_ value: JSONValue) {
        guard case .object(let track) = value, let id = track["id"]?.doubleValue,
              let kind = track["type"]?.stringValue.flatMap(Kind.init(rawValue:)) else { return nil }
        self.id = Int(id)
        self.kind = kind
        language = track["lang"]?.stringValue
        title = track["title"]?.stringValue
        selected = track["selected"]?.boolValue ?? false
        external = track["external"]?.boolValue ?? false
    }

    /// One short line: `2 · jpn · Commentary`.
    public var label: String {
        ([String(id)] + [language, title].compactMap { $0 }.filter { !$0.isEmpty }).joined(separator: " · ")
    }
}
