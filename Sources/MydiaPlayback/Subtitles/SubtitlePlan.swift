public import MydiaAPI

/// Which of a file's subtitle tracks are added to mpv and which one is selected (PROTOCOL.md
/// §14.2.6 "subtitles"). A pure function of the tracks, the delivery and the preference:
///
/// - Only tracks the server delivers as text are added (`isDeliverable`); image-based ones never
///   are (in direct play mpv has the file's own, image-based included).
/// - In direct play a track embedded in the file is already one of mpv's tracks: it is not added
///   again, and when it is the preferred one it is selected among mpv's own by its stream index.
///   Over HLS every deliverable track is added (the segments carry no subtitles).
/// - The preferred track is one in the preferred language, a plain one before SDH before forced
///   (forced tracks subtitle only foreign dialogue); among equals the server's order decides. No
///   preference, or no track in that language: nothing is selected, the tracks are still added.
public struct SubtitlePlan: Sendable, Equatable {
    /// A track to add with `sub-add`, and whether it is the one to select.
    public struct Addition: Sendable, Equatable {
        /// The track.
        public var track: SubtitleTrack
        /// Added with `select` (the preferred track) rather than `auto`.
        public var select: Bool
    }

    /// The tracks to add, in the server's order.
    public var additions: [Addition]
    /// The preferred track when it is one of the file's own streams mpv already has (direct play):
    /// its stream index (mpv's `ff-index`).
    public var selectEmbeddedStream: Int?

    /// The plan for `tracks`.
    /// - Parameters:
    ///   - tracks: the file's tracks (`MediaFile.subtitles`).
    ///   - directPlay: whether mpv plays the file itself (its embedded streams are its own tracks).
    ///   - preferred: the language to select, if any.
    public init(tracks: [SubtitleTrack], directPlay: Bool, preferred: SubtitleLanguage?) {
        let deliverable = tracks.filter(\.isDeliverable)
        func isNative(_ track: SubtitleTrack) -> Bool { directPlay && track.embedded && Int(track.trackId) != nil }
        let choice = preferred.flatMap { language in
            deliverable.enumerated().filter { language.matches($0.element.language) }
                .min { (Self.rank($0.element), $0.offset) < (Self.rank($1.element), $1.offset) }?.element
        }
        additions = deliverable.filter { !isNative($0) }.map { Addition(track: $0, select: $0 == choice) }
        selectEmbeddedStream = choice.flatMap { isNative($0) ? Int($0.trackId) : nil }
    }

    /// Plain 0, SDH 1, forced 2, forced SDH 3.
    private static func rank(_ track: SubtitleTrack) -> Int {
        (track.forced == true ? 2 : 0) + (track.hearingImpaired == true ? 1 : 0)
    }
}
