import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Keyframe indices kept on disk across server restarts, one small JSON file per source file,
/// keyed like the manager's memory cache (path, size, modification time, inode): a Matroska film
/// is scanned once, not after every restart. A cache only: anything unreadable is a miss.
struct KeyframeIndexStore {
    /// The folder holding the files (created on first save, 0700; files 0600).
    let folder: URL
    /// At most this many indices are kept; the least recently written go first.
    var capacity = 256
    /// Files larger than this are not read (a 2-hour film's index is some 60 KB).
    static let maximumFileSize = 8 << 20

    private struct Entry: Codable {
        let key: String
        let times: [Double]
    }

    /// The stored index for `key`, if there is a valid one.
    func load(key: String) -> KeyframeIndex? {
        let file = url(for: key)
        guard let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size]) as? NSNumber,
            size.intValue <= Self.maximumFileSize,
            let data = try? Data(contentsOf: file),
            let entry = try? JSONDecoder().decode(Entry.self, from: data),
            entry.key == key, !entry.times.isEmpty,
            entry.times.allSatisfy(\.isFinite), zip(entry.times, entry.times.dropFirst()).allSatisfy({ $0 <= $1 })
        else { return nil }
        return KeyframeIndex(times: entry.times)
    }

    /// Stores `index` for `key` (atomically), then trims the folder to ``capacity``.
    /// - Throws: when the folder or file cannot be written.
    func save(_ index: KeyframeIndex, key: String) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let data = try JSONEncoder().encode(Entry(key: key, times: index.times))
        let file = url(for: key)
        let partial = folder.appendingPathComponent(".\(UUID().uuidString).partial")
        guard FileManager.default.createFile(atPath: partial.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
        guard rename(partial.path, file.path) == 0 else {
            try? FileManager.default.removeItem(at: partial)
            throw CocoaError(.fileWriteUnknown)
        }
        trim()
    }

    /// The file for `key`: its FNV-1a hash in hex (the key itself is checked on load).
    func url(for key: String) -> URL {
        let hash = key.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        return folder.appendingPathComponent(String(hash, radix: 16) + ".json")
    }

    private func trim() {
        let keys: [URLResourceKey] = [.contentModificationDateKey]
        guard let files = try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: keys),
            files.count > capacity
        else { return }
        let dated = files.filter { $0.pathExtension == "json" }.map { file in
            (file, (try? file.resourceValues(forKeys: Set(keys)).contentModificationDate) ?? .distantPast)
        }
        for (file, _) in dated.sorted(by: { $0.1 < $1.1 }).prefix(max(0, dated.count - capacity)) {
            try? FileManager.default.removeItem(at: file)
        }
    }
}
