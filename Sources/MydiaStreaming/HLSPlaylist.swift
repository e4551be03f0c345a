/// The media playlist a TRANSCODE session serves: every segment listed up front, before ffmpeg has
/// produced them (PROTOCOL.md §12.15), as a complete VOD playlist from media time 0.
struct HLSPlaylist: Equatable {
    /// Durations of the segments, in order, in seconds.
    let segmentDurations: [Double]

    /// A remainder shorter than this is folded into the previous segment, so the playlist never
    /// lists a sliver that ffmpeg might not emit as a segment of its own.
    static let shortestTail = 0.5

    /// Splits `duration` into `segmentLength`-second segments (the last one shorter).
    /// - Parameters:
    ///   - duration: seconds; a non-positive or non-finite value yields one zero-length segment.
    ///   - segmentLength: seconds; values below 1 count as 1.
    init(duration: Double, segmentLength: Int) {
        let duration = duration.isFinite ? max(0, duration) : 0
        let length = Double(max(1, segmentLength))
        var durations: [Double] = []
        var start = 0.0
        while duration - start > 1e-6 {
            let remaining = duration - start
            if remaining <= length {
                durations.append(remaining)
                break
            }
            durations.append(length)
            start += length
        }
        if durations.isEmpty { durations = [0] }
        if durations.count > 1, let last = durations.last, last < Self.shortestTail {
            durations.removeLast()
            durations[durations.count - 1] += last
        }
        segmentDurations = durations
    }

    /// The file name of segment `index`, as ffmpeg writes it with ``segmentFilenamePattern``.
    static func segmentName(_ index: Int) -> String {
        let digits = String(index)
        return "seg" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + ".ts"
    }

    /// ffmpeg's `-hls_segment_filename` pattern matching ``segmentName(_:)``.
    static let segmentFilenamePattern = "seg%05d.ts"

    /// The segment index a file name stands for, if it is one of this playlist's segments.
    func segmentIndex(forName name: String) -> Int? {
        guard name.hasPrefix("seg"), name.hasSuffix(".ts"), name.count == 11,
            let index = Int(name.dropFirst(3).dropLast(3)), index >= 0, index < segmentDurations.count
        else { return nil }
        return index
    }

    /// The playlist text. URIs are relative and carry no token (PROTOCOL.md §12.15).
    var text: String {
        let target = Int((segmentDurations.max() ?? 1).rounded(.up))
        var lines = [
            "#EXTM3U",
            "#EXT-X-VERSION:3",
            "#EXT-X-TARGETDURATION:\(max(1, target))",
            "#EXT-X-MEDIA-SEQUENCE:0",
            "#EXT-X-PLAYLIST-TYPE:VOD",
            "#EXT-X-INDEPENDENT-SEGMENTS",
        ]
        for (index, duration) in segmentDurations.enumerated() {
            lines.append("#EXTINF:\(Self.format(duration)),")
            lines.append(Self.segmentName(index))
        }
        lines.append("#EXT-X-ENDLIST")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Seconds with six decimals, as ffmpeg writes them, independent of locale.
    private static func format(_ seconds: Double) -> String {
        let micros = Int((seconds * 1_000_000).rounded())
        let fraction = String(micros % 1_000_000)
        return "\(micros / 1_000_000)." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }
}
