/// An item of the Next up rail (stock `UpNextItem`): a show's next episode after a finished one.
public struct UpNextItem: Sendable, Hashable, Codable {
    /// The episode to play.
    public var episode: Episode
    /// Its show.
    public var show: ShowReference
    /// `continue`, `next` or `start`, as the server says.
    public var progressState: String
}
