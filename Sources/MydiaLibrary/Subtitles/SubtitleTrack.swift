public import Foundation

/// One subtitle track of a media file (stock Mydia's `SubtitleTrack`, PROTOCOL.md §14.1): a
/// subtitle stream inside the file, or a sidecar file next to it (`Movie.en.srt`).
public struct SubtitleTrack: Sendable, Equatable {
    /// Where the track's cues are.
    public enum Source: Sendable, Equatable {
        /// Stream `streamIndex` of the media file (`-map 0:streamIndex`).
        case embedded(streamIndex: Int)
        /// A file next to the media file, found by listing its folder.
        case sidecar(URL)
    }

    /// The stream index for embedded tracks (`"2"`), `sc_` + 20 hex digits of a hash of the file
    /// name for sidecars: stable across scans, safe in a URL path segment.
    public var trackID: String
    /// ISO 639-2 (bibliographic), `und` when unknown (``LanguageCode``).
    public var language: String
    /// For display: the container's title tag, else the language name with `(Forced)`/`(SDH)`.
    public var title: String
    /// `srt`, `vtt`, `ass`, `ssa`, `mov_text`, `pgs`, `vobsub`, `dvb`, … (``SubtitleFormatName``).
    public var format: String
    /// Whether the track can be delivered as text (WebVTT); `false` for image-based formats.
    public var deliverable: Bool
    /// Subtitles only foreign dialogue and signs.
    public var forced: Bool
    /// Includes sound descriptions (SDH).
    public var hearingImpaired: Bool
    /// Marked default in the container (never for sidecars).
    public var isDefault: Bool
    /// Where the cues are.
    public var source: Source

    /// Whether the track is a stream of the media file.
    public var embedded: Bool {
        if case .embedded = source { return true }
        return false
    }

    /// Creates a track from its parts.
    public init(trackID: String, language: String, title: String, format: String, deliverable: Bool, forced: Bool,
                hearingImpaired: Bool, isDefault: Bool = false, source: Source) {
        self.trackID = trackID
        self.language = language
        self.title = title
        self.format = format
        self.deliverable = deliverable
        self.forced = forced
        self.hearingImpaired = hearingImpaired
        self.isDefault = isDefault
        self.source = source
    }

    /// `url(format: VTT)`: the server-relative WebVTT route
    /// `/api/player/v1/subtitles/file/{fileId}/{trackId}?format=vtt` (PROTOCOL.md §14.2.6).
    /// `nil` for a track that is not ``deliverable`` (the route answers 415 for it).
    public func webVTTURL(fileID: String) -> String? {
        deliverable ? Self.webVTTPath(fileID: fileID, trackID: trackID) : nil
    }

    /// The WebVTT route for a file and track id.
    public static func webVTTPath(fileID: String, trackID: String) -> String {
        "/api/player/v1/subtitles/file/\(percentEncoded(fileID))/\(percentEncoded(trackID))?format=vtt"
    }

    /// The display title for a language and flags: `English`, `German (Forced)`, `English (SDH)`.
    static func displayTitle(language: String, forced: Bool, hearingImpaired: Bool, extra: String? = nil) -> String {
        var title = LanguageCode.name(language) ?? (language == LanguageCode.undetermined ? "Unknown" : language.uppercased())
        var flags: [String] = []
        if forced { flags.append("Forced") }
        if hearingImpaired { flags.append("SDH") }
        if let extra, !extra.isEmpty { flags.append(extra) }
        if !flags.isEmpty { title += " (" + flags.joined(separator: ", ") + ")" }
        return title
    }

    private static func percentEncoded(_ segment: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return segment.addingPercentEncoding(withAllowedCharacters: allowed) ?? segment
    }
}
