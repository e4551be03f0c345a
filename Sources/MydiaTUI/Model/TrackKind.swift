/// Which of the playing item's tracks a key switches.
public enum TrackKind: Sendable, Hashable {
    case audio
    case subtitles
}
