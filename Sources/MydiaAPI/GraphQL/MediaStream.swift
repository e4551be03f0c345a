/// One elementary stream of a file (`MediaStream`), as the server's ffprobe saw it: what the play
/// menu lists as the file's audio tracks. Only detail queries ask for them, and only servers of the
/// current generation have them (PROTOCOL.md §14.1); a file whose streams are not known yet has none.
public struct MediaStream: Sendable, Hashable, Codable {
    /// `VIDEO`, `AUDIO` or `SUBTITLE` (a newer server may name more).
    public var type: String
    /// The stream's index in the container, if known.
    public var index: Int?
    /// Short codec name (`aac`, `truehd`, `subrip`).
    @OptionalDisplayString public var codec: String?
    /// ISO 639-2 language tag from the container, if any.
    @OptionalDisplayString public var language: String?
    /// Title tag from the container, if any.
    @OptionalDisplayString public var title: String?
    /// Disposition `default`.
    public var isDefault: Bool?
    /// Disposition `forced`.
    public var isForced: Bool?
    /// Disposition `hearing_impaired` (SDH).
    public var isHearingImpaired: Bool?
    /// Disposition `comment` (a commentary track).
    public var isCommentary: Bool?
    /// Audio channels, if known.
    public var channels: Int?

    /// Whether it is an audio stream.
    public var isAudio: Bool { type.uppercased() == "AUDIO" }
}
