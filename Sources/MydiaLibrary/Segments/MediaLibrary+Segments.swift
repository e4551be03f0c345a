import Foundation
import Synchronization

/// A file's skippable segments (`MediaFile.segments`, PROTOCOL.md §14.1): its sidecar
/// (``SegmentSidecar``) when there is one, else its chapters titled like an intro or the credits
/// (``ChapterSegments``). Chapters are read once per file version (path, size, modification
/// time) and remembered for the process's life.
extension MediaLibrary {
    /// The segments of `file`, in start order; empty when it has none or ffprobe failed.
    public func segments(of file: MediaFileRecord) async -> [SkipSegment] {
        if let sidecar = SegmentSidecar.segments(forVideo: file.url) { return sidecar }
        let attributes = try? FileManager.default.attributesOfItem(atPath: file.url.path)
        let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let size = (attributes?[.size] as? Int64) ?? file.size
        let key = SegmentCache.Key(path: file.url.path, size: size, modified: modified)
        if let known = segmentCache.lookup(key) { return known }
        let executable = probe.executable
        let url = file.url
        let found: [SkipSegment] = await withCheckedContinuation { continuation in
            // ffprobe blocks: not on the cooperative pool.
            let thread = Thread { continuation.resume(returning: ChapterSegments.probe(url, executable: executable) ?? []) }
            thread.name = "mydia-library-chapters"
            thread.start()
        }
        segmentCache.store(found, for: key)
        return found
    }
}

/// The chapter segments read so far, by file version; at most ``capacity`` files (the oldest
/// entry goes first). A lock guards the dictionary.
final class SegmentCache: Sendable {
    struct Key: Hashable {
        var path: String
        var size: Int64
        var modified: Double
    }

    static let capacity = 4096
    private let entries = Mutex<(values: [Key: [SkipSegment]], order: [Key])>(([:], []))

    func lookup(_ key: Key) -> [SkipSegment]? { entries.withLock { $0.values[key] } }

    func store(_ segments: [SkipSegment], for key: Key) {
        entries.withLock { entries in
            if entries.values.updateValue(segments, forKey: key) == nil { entries.order.append(key) }
            while entries.order.count > Self.capacity { entries.values.removeValue(forKey: entries.order.removeFirst()) }
        }
    }
}
