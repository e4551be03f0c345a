/// A part of a file the viewer may skip: the opening theme or the closing credits (stock Mydia's
/// `MediaSegment`, PROTOCOL.md §14.1). Times are milliseconds from the start of the file.
public struct SkipSegment: Sendable, Hashable, Codable {
    /// Which part: stock's `SegmentType`.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// The opening theme.
        case intro = "INTRO"
        /// The closing credits.
        case credits = "CREDITS"
    }

    /// Intro or credits.
    public var kind: Kind
    /// Where it starts, in milliseconds.
    public var startMs: Int
    /// Where it ends, in milliseconds (after `startMs`).
    public var endMs: Int

    /// A segment, or nil when the times are not a forward span of at least a second within a day
    /// (a broken chapter or sidecar is left out, not served).
    public init?(kind: Kind, startMs: Int, endMs: Int) {
        guard startMs >= 0, endMs - startMs >= 1000, endMs <= 86_400_000 else { return nil }
        self.kind = kind
        self.startMs = startMs
        self.endMs = endMs
    }

    /// The kind a chapter title names, if it names one: `Intro`, `Opening`, `OP`, `Opening Credits`
    /// and `Theme` are the intro; `Credits`, `End Credits`, `Ending`, `ED` and `Outro` the credits.
    /// Case, surrounding punctuation and a trailing number (`Intro 2`) do not matter; any other
    /// title (`Chapter 3`, `Prologue`, `Opening Scene`) names none.
    public static func kind(ofChapterTitle title: String) -> Kind? {
        let words = title.lowercased()
            .split(whereSeparator: { !$0.isLetter && !$0.isNumber })
            .filter { !$0.allSatisfy(\.isNumber) }
            .joined(separator: " ")
        switch words {
        case "intro", "opening", "op", "opening credits", "opening theme", "theme", "title sequence", "opening titles":
            return .intro
        case "credits", "end credits", "ending", "ending credits", "ending theme", "ed", "outro", "closing credits":
            return .credits
        default:
            return nil
        }
    }

    /// `segments` sorted by start, overlaps of the same kind merged.
    static func normalised(_ segments: [SkipSegment]) -> [SkipSegment] {
        var result: [SkipSegment] = []
        for segment in segments.sorted(by: { ($0.startMs, $0.endMs) < ($1.startMs, $1.endMs) }) {
            if var last = result.last, last.kind == segment.kind, segment.startMs <= last.endMs {
                last.endMs = max(last.endMs, segment.endMs)
                result[result.count - 1] = last
            } else {
                result.append(segment)
            }
        }
        return result
    }
}
