/// What playback does inside an intro or the credits (`[player] skip`, `play --skip`).
public enum SkipMode: String, Sendable, Hashable, CaseIterable {
    /// mpv shows "Skip intro — Enter"; Enter (or ``Playback/skipSegment()``) skips. In an
    /// episode's credits with a next episode, the next-episode countdown starts at once and Enter
    /// plays the next episode now.
    case ask
    /// Skipped without asking: the player seeks past the segment as it begins.
    case auto
    /// Left alone.
    case never
}
