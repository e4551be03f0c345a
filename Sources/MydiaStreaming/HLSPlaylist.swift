/// The media playlist a session serves: every segment listed up front, before ffmpeg has produced
/// them, as a complete VOD playlist from media time 0 (PROTOCOL.md §11.15, §14.4).
///
/// A playlist is a list of segment start times on the source's own timeline (the timestamps ffmpeg
/// reads with `-copyts`) plus the end of the media. Segment `k` covers `starts[k] ..< starts[k+1]`;
/// production cuts exactly there, so the `#EXTINF`s are exact.
struct HLSPlaylist: Equatable {
    /// Where each segment starts, in seconds on the source's timeline, strictly increasing.
    let starts: [Double]
    /// Where the last segment ends, in seconds on the same timeline.
    let end: Double

    /// Durations of the segments, in order, in seconds.
    var segmentDurations: [Double] {
        starts.indices.map { index in (index + 1 < starts.count ? starts[index + 1] : end) - starts[index] }
    }

    /// A remainder shorter than this is folded into the previous segment, so the playlist never
    /// lists a sliver of a segment.
    static let shortestTail = 0.5

    /// Splits `duration` into `segmentLength`-second segments (the last one shorter) — the plan of a
    /// TRANSCODE, which forces a keyframe at every start.
    /// - Parameters:
    ///   - duration: seconds; a non-positive or non-finite value yields one zero-length segment.
    ///   - segmentLength: seconds; values below 1 count as 1.
    ///   - origin: where the media starts on the source's timeline (its `start_time`).
    init(duration: Double, segmentLength: Int, origin: Double = 0) {
        let duration = duration.isFinite ? max(0, duration) : 0
        let origin = origin.isFinite ? origin : 0
        let length = Double(max(1, segmentLength))
        var starts: [Double] = []
        var start = 0.0
        while duration - start > 1e-6 {
            starts.append(origin + start)
            start += length
        }
        if starts.isEmpty { starts = [origin] }
        if starts.count > 1, let last = starts.last, origin + duration - last < Self.shortestTail {
            starts.removeLast()
        }
        self.starts = starts
        end = origin + duration
    }

    /// Cuts at keyframes — the plan of an HLS_COPY, which can only cut there. A segment ends at the
    /// first keyframe at least `segmentLength` seconds after its start (ffmpeg's own HLS rule), so a
    /// segment is as long as the target or longer when keyframes are sparse.
    /// - Parameters:
    ///   - keyframes: presentation times of the video keyframes, in seconds on the source's timeline
    ///     (any order; duplicates and non-finite values are ignored).
    ///   - origin: where the media starts (the format's `start_time`); the first segment starts there.
    ///   - end: where the media ends (`origin + duration`).
    ///   - segmentLength: the target in seconds; values below 1 count as 1.
    init(keyframes: [Double], origin: Double, end: Double, segmentLength: Int) {
        let length = Double(max(1, segmentLength))
        let origin = origin.isFinite ? origin : 0
        let end = end.isFinite ? max(origin, end) : origin
        var starts = [origin]
        for keyframe in Set(keyframes.filter(\.isFinite)).sorted() where keyframe < end {
            if let last = starts.last, keyframe - last >= length - 1e-6 { starts.append(keyframe) }
        }
        if starts.count > 1, let last = starts.last, end - last < Self.shortestTail { starts.removeLast() }
        self.starts = starts
        self.end = end
    }

    /// The number of segments.
    var count: Int { starts.count }

    /// The segment that holds media time `seconds` (counted from the start of the media, as
    /// `startPosition` is).
    func segmentIndex(containing seconds: Double) -> Int {
        guard seconds.isFinite, let first = starts.first else { return 0 }
        let time = first + max(0, seconds)
        var low = 0, high = starts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= time + 1e-6 { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// The file name of segment `index`, as ffmpeg writes it with ``segmentFilenamePattern``.
    static func segmentName(_ index: Int) -> String {
        let digits = String(index)
        return "seg" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + ".ts"
    }

    /// ffmpeg's output pattern matching ``segmentName(_:)``.
    static let segmentFilenamePattern = "seg%05d.ts"

    /// The segment index a file name stands for, if it is one of this playlist's segments.
    func segmentIndex(forName name: String) -> Int? {
        guard let index = Self.index(ofSegmentFile: name), index < starts.count else { return nil }
        return index
    }

    /// The index in a file name written with ``segmentFilenamePattern``, whatever the playlist.
    static func index(ofSegmentFile name: String) -> Int? {
        guard name.hasPrefix("seg"), name.hasSuffix(".ts"), name.count >= 11,
            let index = Int(name.dropFirst(3).dropLast(3)), index >= 0
        else { return nil }
        return index
    }

    /// The playlist text. URIs are relative and carry no token (PROTOCOL.md §11.15).
    var text: String {
        let durations = segmentDurations
        let target = Int((durations.max() ?? 1).rounded(.up))
        var lines = [
            "#EXTM3U",
            "#EXT-X-VERSION:3",
            "#EXT-X-TARGETDURATION:\(max(1, target))",
            "#EXT-X-MEDIA-SEQUENCE:0",
            "#EXT-X-PLAYLIST-TYPE:VOD",
            "#EXT-X-INDEPENDENT-SEGMENTS",
        ]
        for (index, duration) in durations.enumerated() {
            lines.append("#EXTINF:\(Self.format(duration)),")
            lines.append(Self.segmentName(index))
        }
        lines.append("#EXT-X-ENDLIST")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Seconds with six decimals, as ffmpeg writes them, independent of locale.
    static func format(_ seconds: Double) -> String {
        let micros = Int((abs(seconds) * 1_000_000).rounded())
        let fraction = String(micros % 1_000_000)
        return (seconds < 0 ? "-" : "") + "\(micros / 1_000_000)." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }
}
