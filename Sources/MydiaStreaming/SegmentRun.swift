import Foundation

/// One ffmpeg producing a session's segments `first…last` in order into a folder of its own
/// (PROTOCOL.md §14.4). A far seek starts another run at the segment asked for; the old one is
/// stopped, and the segments it had finished stay served.
///
/// ffmpeg's segment muxer writes segment `k` and closes it before it opens `k + 1`, so a segment
/// is finished once the next one exists, or once ffmpeg has exited cleanly.
struct SegmentRun {
    /// The first segment this run produces.
    let first: Int
    /// The last segment whose end the run was told; it is stopped once it begins the one after.
    let last: Int
    /// Where it writes `segNNNNN.ts`.
    let folder: URL
    /// The ffmpeg.
    let process: FFmpegProcess
    /// Frozen (SIGSTOP) because it is far enough ahead of the player.
    var paused = false
    /// Stopped on purpose (a restart, the end of its list, the session's end): its exit status says
    /// nothing about the media.
    var stopped = false

    /// The file of segment `index` in this run's folder.
    func file(_ index: Int) -> URL { folder.appendingPathComponent(HLSPlaylist.segmentName(index)) }

    /// The indices of the segment files in the folder, ascending (the last may be unfinished).
    func existing() -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.compactMap(HLSPlaylist.index(ofSegmentFile:)).sorted()
    }
}
