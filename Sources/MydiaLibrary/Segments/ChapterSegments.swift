import Foundation
import MydiaSystem

/// Skippable segments from a file's chapters: those titled like an intro or the credits
/// (``SkipSegment/kind(ofChapterTitle:)``), read with
/// `ffprobe -v error -protocol_whitelist file -print_format json -show_chapters`.
enum ChapterSegments {
    /// Runs ffprobe (`executable`: a path, or a name looked up on `PATH`) on `file`. Blocks until it
    /// exits: call it from a thread of its own. Nil when ffprobe failed.
    static func probe(_ file: URL, executable: String) -> [SkipSegment]? {
        let (path, lead): (String, [String]) = executable.contains("/") ? (executable, []) : ("/usr/bin/env", [executable])
        // Only local files: a "video" that is really a playlist naming URLs is not followed (§13.100).
        let arguments = lead + ["-v", "error", "-protocol_whitelist", "file", "-print_format", "json", "-show_chapters", file.path]
        guard let run = try? ChildProcess.run(executable: path, arguments: arguments, environment: ProcessInfo.processInfo.environment),
              run.status == 0 else { return nil }
        return parse(run.output)
    }

    /// The segments in ffprobe's `-show_chapters` JSON; nil when it is not that JSON.
    static func parse(_ data: Data) -> [SkipSegment]? {
        struct Report: Decodable {
            struct Chapter: Decodable {
                var start_time: String?
                var end_time: String?
                var tags: [String: String]?
            }
            var chapters: [Chapter]?
        }
        guard let report = try? JSONDecoder().decode(Report.self, from: data) else { return nil }
        let segments = (report.chapters ?? []).compactMap { chapter -> SkipSegment? in
            let title = chapter.tags?.first { $0.key.lowercased() == "title" }?.value ?? ""
            guard let kind = SkipSegment.kind(ofChapterTitle: title),
                  let start = chapter.start_time.flatMap(Double.init), let end = chapter.end_time.flatMap(Double.init),
                  start.isFinite, end.isFinite, start >= 0, end < 86_400 else { return nil }
            return SkipSegment(kind: kind, startMs: Int((start * 1000).rounded()), endMs: Int((end * 1000).rounded()))
        }
        return SkipSegment.normalised(segments)
    }
}
