/// What `w` marks watched or unwatched.
public enum WatchTarget: Hashable, Sendable, Codable {
    case movie(String)
    case episode(String)
    case season(showID: String, number: Int)
}

/// One watched/unwatched mark on its way to the server. Queued in the state (and the cache) until
/// the server took it, like progress reports: only the newest mark per target waits, so a
/// replayed queue never undoes a later toggle.
public struct WatchMark: Hashable, Sendable, Codable {
    /// The item.
    public var target: WatchTarget
    /// Watched or unwatched.
    public var watched: Bool

    /// A mark.
    public init(_ target: WatchTarget, watched: Bool) {
        self.target = target
        self.watched = watched
    }
}
