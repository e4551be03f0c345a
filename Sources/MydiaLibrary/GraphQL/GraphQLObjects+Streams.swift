// Stock Mydia's `MediaFile.streams` (PROTOCOL.md §14.1): each recorded stream of the file, its raw
// facts as ffprobe reported them (the client composes display strings).

/// `enum MediaStreamType`.
enum MediaStreamTypeValue: String, Codable, Sendable, CaseIterable {
    case video = "VIDEO"
    case audio = "AUDIO"
    case subtitle = "SUBTITLE"
}

/// Stock's `MediaStream`, from what the scan recorded (fields the library does not record stay out).
struct MediaStreamObject: Sendable {
    var index: Int?
    var type: MediaStreamTypeValue
    var codec: String?
    var profile: String?
    var level: Int?
    var language: String?
    var title: String?
    var isDefault: Bool?
    var isForced: Bool?
    var isHearingImpaired: Bool?
    var isCommentary: Bool?
    var width: Int?
    var height: Int?
    var channels: Int?

    init(_ s: MediaStreamFacts) {
        index = s.index
        type = switch s.kind {
        case .video: .video
        case .audio: .audio
        case .subtitle: .subtitle
        }
        codec = s.codec
        profile = s.profile
        level = s.level
        language = s.language
        title = s.title
        isDefault = s.isDefault
        isForced = s.isForced
        isHearingImpaired = s.isHearingImpaired
        isCommentary = s.isCommentary
        width = s.width
        height = s.height
        channels = s.channels
    }
}

extension MediaFileObject {
    /// The file's recorded streams in index order; null when the scan has not probed it.
    var streams: [MediaStreamObject]? {
        record.streams.isEmpty ? nil : record.streams.map(MediaStreamObject.init)
    }
}
