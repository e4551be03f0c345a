public import Foundation

/// Skippable segments written by hand or by a tool beside a video (PROTOCOL.md §14.1 `segments`):
/// `Show - S01E01.mkv` → `Show - S01E01.segments.json`, holding
///
/// ```json
/// { "segments": [ { "type": "intro", "start": 62.0, "end": 151.5 },
///                 { "type": "credits", "start": 1290, "end": 1352 } ] }
/// ```
///
/// `type` is `intro` or `credits` (any case); `start` and `end` are seconds from the start of the
/// file. A sidecar that exists replaces the file's chapters; entries of another type or with
/// times that are not a forward span are left out; a file that is not this JSON (or larger than
/// 64 KiB) counts as absent.
public enum SegmentSidecar {
    /// The sidecar's name suffix.
    public static let suffix = ".segments.json"
    /// The largest sidecar read.
    static let maximumSize = 64 * 1024

    /// Where the sidecar of `video` is.
    public static func url(forVideo video: URL) -> URL {
        video.deletingPathExtension().appendingPathExtension("segments.json")
    }

    /// The segments of the sidecar beside `video`; nil when there is no readable sidecar.
    public static func segments(forVideo video: URL) -> [SkipSegment]? {
        let url = url(forVideo: video)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
              attributes[.type] as? FileAttributeType == .typeRegular,
              let size = attributes[.size] as? Int, size <= maximumSize,
              let data = try? Data(contentsOf: url) else { return nil }
        return parse(data)
    }

    /// Parses a sidecar's bytes; nil when they are not the sidecar's JSON.
    public static func parse(_ data: Data) -> [SkipSegment]? {
        struct File: Decodable {
            struct Entry: Decodable {
                var type: String
                var start: Double
                var end: Double
            }
            var segments: [Entry]
        }
        guard let file = try? JSONDecoder().decode(File.self, from: data) else { return nil }
        let segments = file.segments.compactMap { entry -> SkipSegment? in
            guard let kind = SkipSegment.Kind(rawValue: entry.type.uppercased()),
                  entry.start.isFinite, entry.end.isFinite, entry.start >= 0, entry.end < 86_400 else { return nil }
            return SkipSegment(kind: kind, startMs: Int((entry.start * 1000).rounded()), endMs: Int((entry.end * 1000).rounded()))
        }
        return SkipSegment.normalised(segments)
    }
}
