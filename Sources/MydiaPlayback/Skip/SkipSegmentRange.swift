public import MydiaAPI

/// A skippable part of the current file, in seconds of media time (from ``MediaSegment``).
public struct SkipSegmentRange: Sendable, Hashable {
    /// Intro or credits.
    public enum Kind: String, Sendable, Hashable {
        case intro, credits
    }

    /// Intro or credits.
    public var kind: Kind
    /// Where it starts, in seconds.
    public var start: Double
    /// Where it ends, in seconds.
    public var end: Double

    public init(kind: Kind, start: Double, end: Double) {
        self.kind = kind
        self.start = start
        self.end = end
    }

    /// The file's intro and credits segments in start order; other types and broken spans are left out.
    public static func of(_ segments: [MediaSegment]) -> [SkipSegmentRange] {
        segments.compactMap { segment -> SkipSegmentRange? in
            let kind: Kind
            switch segment.type.uppercased() {
            case "INTRO": kind = .intro
            case "CREDITS": kind = .credits
            default: return nil
            }
            guard segment.startMs >= 0, segment.endMs > segment.startMs else { return nil }
            return SkipSegmentRange(kind: kind, start: Double(segment.startMs) / 1000, end: Double(segment.endMs) / 1000)
        }.sorted { $0.start < $1.start }
    }

    /// Whether `position` is inside, short of the last half second (a skip lands at `end`, and
    /// mpv's position after it may read a hair before).
    func contains(_ position: Double) -> Bool {
        position >= start && position < end - 0.5
    }
}

/// What the player offers while inside a segment (``PlaybackUpdate/skippable(_:)``).
public struct SkipPrompt: Sendable, Hashable {
    /// What Enter does.
    public enum Action: String, Sendable, Hashable {
        /// Seeks to the segment's end.
        case skip
        /// Plays the next episode now (the countdown runs during the credits).
        case nextEpisode
    }

    /// The segment the position is in.
    public var segment: SkipSegmentRange
    /// What Enter (``Playback/skipSegment()``) does.
    public var action: Action

    /// The line mpv shows: "Skip intro — Enter", "Skip credits — Enter", "Next episode — Enter".
    public var text: String {
        switch (action, segment.kind) {
        case (.nextEpisode, _): "Next episode — Enter"
        case (.skip, .intro): "Skip intro — Enter"
        case (.skip, .credits): "Skip credits — Enter"
        }
    }
}
