import Crypto
public import Foundation
public import Logging
import MydiaSystem

/// Fetched artwork on disk: `<cache dir>/artwork/<sha256 of the URL>.img`, directory 0700,
/// files 0600 written atomically, at most `capacity` bytes in all. The least recently used files
/// go first when a new one would pass the cap; a read counts as a use (the file's modification
/// time is set, so the order survives a restart).
public actor ImageCache {
    /// What the cache knows of one file.
    struct Entry {
        var size: Int
        var lastUse: Date
    }

    /// The state: files are indexed from the directory on first use.
    enum State {
        case unindexed
        case indexed([String: Entry], total: Int)
    }

    /// The directory.
    public nonisolated let directory: URL
    /// The cap in bytes (`[ui] image_cache_mb`).
    public nonisolated let capacity: Int
    private let now: @Sendable () -> Date
    private let logger: Logger
    private var state = State.unindexed

    /// The default cap: 200 MB.
    public static let defaultCapacity = 200 * 1024 * 1024

    /// A cache in `directory` (created when first written) holding at most `capacity` bytes.
    /// - Parameter now: the clock that orders uses (tests step it).
    public init(directory: URL, capacity: Int = ImageCache.defaultCapacity, logger: Logger = Logger(label: "mydia.tui.images"),
                now: @escaping @Sendable () -> Date = Date.init) {
        self.directory = directory
        self.capacity = max(capacity, 0)
        self.logger = logger
        self.now = now
    }

    /// The artwork directory inside the TUI's cache directory (`CatalogCache.defaultDirectory`).
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        CatalogCache.defaultDirectory(environment: environment).appendingPathComponent("artwork", isDirectory: true)
    }

    /// The file name for a URL: its SHA-256 in hex (no part of the URL reaches the file system).
    nonisolated func fileName(_ url: String) -> String {
        SHA256.hash(data: Data(url.utf8)).map { String(format: "%02x", $0) }.joined() + ".img"
    }

    /// The stored bytes for `url`, marked as just used; `nil` when not cached.
    public func read(_ url: String) -> Data? {
        var (entries, total) = index()
        let name = fileName(url)
        guard entries[name] != nil else { return nil }
        let path = directory.appendingPathComponent(name).path
        guard let data = FileManager.default.contents(atPath: path) else {
            total -= entries.removeValue(forKey: name)?.size ?? 0
            state = .indexed(entries, total: total)
            return nil
        }
        let used = now()
        entries[name]?.lastUse = used
        state = .indexed(entries, total: total)
        try? FileManager.default.setAttributes([.modificationDate: used], ofItemAtPath: path)
        return data
    }

    /// Stores `data` for `url` and evicts the least recently used files beyond the cap. A file
    /// larger than the whole cap is not kept.
    public func write(_ url: String, _ data: Data) {
        guard data.count <= capacity else { return }
        var (entries, total) = index()
        let name = fileName(url)
        let path = directory.appendingPathComponent(name).path
        do {
            try PrivateFile.ensureDirectory(directory.path, logger: logger)
            try PrivateFile.writeAtomically(Array(data), to: path)
        } catch {
            logger.notice("artwork not cached", metadata: ["error": "\(error)"])
            return
        }
        let used = now()
        try? FileManager.default.setAttributes([.modificationDate: used], ofItemAtPath: path)
        total -= entries[name]?.size ?? 0
        entries[name] = Entry(size: data.count, lastUse: used)
        total += data.count
        // Oldest first until under the cap; the file just written is the newest.
        if total > capacity {
            for (victim, entry) in entries.sorted(by: { $0.value.lastUse < $1.value.lastUse }) where total > capacity && victim != name {
                unlink(directory.appendingPathComponent(victim).path)
                entries.removeValue(forKey: victim)
                total -= entry.size
            }
        }
        state = .indexed(entries, total: total)
    }

    /// Bytes held now.
    public var totalBytes: Int { index().total }

    /// Whether `url` is cached.
    public func contains(_ url: String) -> Bool { index().entries[fileName(url)] != nil }

    private func index() -> (entries: [String: Entry], total: Int) {
        if case .indexed(let entries, let total) = state { return (entries, total) }
        var entries: [String: Entry] = [:]
        var total = 0
        let keys: [URLResourceKey] = [.fileSizeKey, .contentModificationDateKey]
        let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: keys)) ?? []
        for file in files where file.pathExtension == "img" {
            let values = try? file.resourceValues(forKeys: Set(keys))
            let size = values?.fileSize ?? 0
            entries[file.lastPathComponent] = Entry(size: size, lastUse: values?.contentModificationDate ?? .distantPast)
            total += size
        }
        state = .indexed(entries, total: total)
        return (entries, total)
    }
}
