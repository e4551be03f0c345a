/// One video, audio or subtitle stream of a media file, as ffprobe reported it (stock Mydia's
/// `MediaStream`). Cover art (`attached_pic`), data and attachment streams are not recorded.
public struct MediaStreamFacts: Sendable, Equatable {
    /// What the stream carries (`MediaStreamType`).
    public enum Kind: String, Sendable, CaseIterable {
        /// Moving pictures.
        case video
        /// Sound.
        case audio
        /// Text or image subtitles.
        case subtitle
    }

    /// ffprobe's stream index: the `N` in `-map 0:N`.
    public var index: Int
    /// Video, audio or subtitle.
    public var kind: Kind
    /// ffprobe's short codec name (`h264`, `aac`, `subrip`, `hdmv_pgs_subtitle`, …).
    public var codec: String?
    /// Codec profile as ffprobe names it (`High`, `Main 10`, `LC`, …).
    public var profile: String?
    /// Codec level as ffprobe's integer (`40` for H.264 level 4.0, `120` for HEVC level 4).
    public var level: Int?
    /// The `language` tag as written in the container (normally ISO 639-2), if any.
    public var language: String?
    /// The `title` tag, if any.
    public var title: String?
    /// Disposition `default`.
    public var isDefault: Bool
    /// Disposition `forced`.
    public var isForced: Bool
    /// Disposition `hearing_impaired` (SDH).
    public var isHearingImpaired: Bool
    /// Disposition `comment` (a commentary track).
    public var isCommentary: Bool
    /// Pixels (video).
    public var width: Int?
    /// Pixels (video).
    public var height: Int?
    /// Audio channels.
    public var channels: Int?

    /// Creates stream facts from their parts.
    public init(index: Int, kind: Kind, codec: String?, profile: String? = nil, level: Int? = nil,
                language: String? = nil, title: String? = nil, isDefault: Bool = false, isForced: Bool = false,
                isHearingImpaired: Bool = false, isCommentary: Bool = false, width: Int? = nil, height: Int? = nil,
                channels: Int? = nil) {
        self.index = index
        self.kind = kind
        self.codec = codec
        self.profile = profile
        self.level = level
        self.language = language
        self.title = title
        self.isDefault = isDefault
        self.isForced = isForced
        self.isHearingImpaired = isHearingImpaired
        self.isCommentary = isCommentary
        self.width = width
        self.height = height
        self.channels = channels
    }
}
