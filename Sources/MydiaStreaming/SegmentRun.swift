import Foundation

/// One ffmpeg producing a session's segments `first…last` in order into a folder of its own
/// (PROTOCOL.md §14.4). A far seek starts another run at the segment asked for; the old one is
/// stopped, and the segments it had finished stay served.
///
/// ffmpeg's segment muxer reports each segment it has finished and closed on its standard output
/// (`-segment_list pipe:1 -segment_list_type csv`), so a segment is served only once it is
/// complete; and since those reports are read only as far as the player's window reaches
/// (``OutputLines``), ffmpeg stops right there by itself.
struct SegmentRun {
    /// Which run of its session this is (names its folder).
    let number: Int
    /// The first segment this run produces.
    let first: Int
    /// The last segment whose end the run was told; it is stopped once it begins the one after.
    let last: Int
    /// Where it writes `segNNNNN.ts`.
    let folder: URL
    /// The ffmpeg.
    let process: FFmpegProcess
    /// Its segment reports.
    let reports: OutputLines
    /// The last segment whose report may be read (production goes at most a few segments beyond).
    var granted: Int
    /// The last segment ffmpeg has reported finished.
    var lastFinished: Int?
    /// The segment being made now (or next).
    var current: Int { (lastFinished ?? first - 1) + 1 }
    /// Stopped on purpose (a restart, the end of its list, the session's end): its exit status says
    /// nothing about the media.
    var stopped = false

    /// The file of segment `index` in this run's folder.
    func file(_ index: Int) -> URL { folder.appendingPathComponent(HLSPlaylist.segmentName(index)) }

    /// Lets reports be read up to segment `index`.
    mutating func grant(through index: Int) {
        guard index > granted else { return }
        reports.grant(index - granted)
        granted = index
    }

    /// The segment a line of ffmpeg's CSV segment list names (`seg00003.ts,12.000000,16.000000`).
    static func index(ofListLine line: String) -> Int? {
        guard let name = line.split(separator: ",").first?.split(separator: "/").last else { return nil }
        return HLSPlaylist.index(ofSegmentFile: String(name))
    }

    /// The indices of the segment files in the folder, ascending (the last may be unfinished).
    func existing() -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.compactMap(HLSPlaylist.index(ofSegmentFile:)).sorted()
    }
}
