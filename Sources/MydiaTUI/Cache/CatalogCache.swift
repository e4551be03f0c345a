public import Foundation
public import MydiaAPI

/// What the UI saw last time, per server: home rows and the loaded part of the movie and show
/// lists. Shown at once on the next start, marked "cached · N min ago", then revalidated.
public struct CachedCatalog: Sendable, Equatable, Codable {
    /// When it was saved.
    public var savedAt: Date
    /// Home: continue watching.
    public var continueWatching: [ContinueItem] = []
    /// Home: recently added.
    public var recentlyAdded: [RecentlyAddedItem] = []
    /// Movies loaded so far, and where the next page starts.
    public var movies: PagedList<Movie> = PagedList()
    /// Shows loaded so far.
    public var shows: PagedList<TvShow> = PagedList()
    /// Home: next episodes of shows in progress.
    public var nextUp: [UpNextItem] = []
    /// Sort and filter per list.
    public var listOptions: [BrowseList: ListOptions] = [:]
    /// Watched marks the server has not taken yet (sent when it is back).
    public var pendingMarks: [WatchMark] = []

    /// An empty catalog saved at `savedAt`.
    public init(savedAt: Date) { self.savedAt = savedAt }

    private enum CodingKeys: String, CodingKey {
        case savedAt, continueWatching, recentlyAdded, movies, shows, nextUp, listOptions, pendingMarks
    }

    /// Decodes a cache file; parts an older version did not write start empty.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        savedAt = try c.decode(Date.self, forKey: .savedAt)
        continueWatching = try c.decode([ContinueItem].self, forKey: .continueWatching)
        recentlyAdded = try c.decode([RecentlyAddedItem].self, forKey: .recentlyAdded)
        movies = try c.decode(PagedList<Movie>.self, forKey: .movies)
        shows = try c.decode(PagedList<TvShow>.self, forKey: .shows)
        nextUp = try c.decodeIfPresent([UpNextItem].self, forKey: .nextUp) ?? []
        listOptions = try c.decodeIfPresent([BrowseList: ListOptions].self, forKey: .listOptions) ?? [:]
        pendingMarks = try c.decodeIfPresent([WatchMark].self, forKey: .pendingMarks) ?? []
    }
}

/// A list loaded page by page (PROTOCOL.md §11.15 cursors).
public struct PagedList<Item: Sendable & Hashable & Codable>: Sendable, Hashable, Codable {
    /// Items loaded so far, in server order.
    public var items: [Item] = []
    /// The cursor for the next page (`nil` before the first page or after the last).
    public var cursor: String?
    /// Whether the server has more.
    public var hasMore = true
    /// The server's total, once known.
    public var total: Int?

    /// An empty list (nothing loaded yet).
    public init() {}

    /// At most `limit` items; a cut list has more to load but no cursor (the next start reloads
    /// from the first page anyway).
    func trimmed(to limit: Int) -> PagedList {
        guard items.count > limit else { return self }
        var copy = self
        copy.items = Array(items.prefix(limit))
        copy.cursor = nil
        copy.hasMore = true
        return copy
    }

    /// Appends a page (`replacing` starts over, for revalidation).
    public mutating func append(_ page: Connection<Item>, replacing: Bool) {
        if replacing { items = [] }
        items += page.nodes
        cursor = page.pageInfo.endCursor
        hasMore = page.pageInfo.hasNextPage
        total = page.totalCount
    }
}

/// The catalog cache files: `$MYDIA_CACHE_DIR`, else `$XDG_CACHE_HOME/mydia-tui/`, else
/// `~/.cache/mydia-tui/`; one `catalog-<instance id>.json` per server, directory 0700, files
/// 0600 written atomically. A damaged file is ignored (the catalog loads from the server).
public struct CatalogCache: Sendable {
    /// The directory.
    public let directory: URL

    /// A cache in `directory`.
    public init(directory: URL) { self.directory = directory }

    /// The default directory for an environment.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let explicit = environment["MYDIA_CACHE_DIR"], !explicit.isEmpty { return URL(fileURLWithPath: explicit, isDirectory: true) }
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            return URL(fileURLWithPath: xdg, isDirectory: true).appendingPathComponent("mydia-tui", isDirectory: true)
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home, isDirectory: true).appendingPathComponent(".cache/mydia-tui", isDirectory: true)
    }

    func fileURL(instanceID: String) -> URL {
        let safe = instanceID.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        return directory.appendingPathComponent("catalog-\(safe).json")
    }

    /// The cached catalog of a server, or `nil` (none, unreadable, or from another version).
    public func load(instanceID: String) -> CachedCatalog? {
        guard let data = FileManager.default.contents(atPath: fileURL(instanceID: instanceID).path) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try? decoder.decode(CachedCatalog.self, from: data)
    }

    /// Items kept per list: enough for the first screens, small enough to decode at once on start
    /// (the server answers the rest page by page).
    public static let itemsPerList = 1000

    /// Saves a catalog (owner-only, atomic), lists cut to `itemsPerList`.
    public func save(_ catalog: CachedCatalog, instanceID: String) throws {
        var catalog = catalog
        catalog.movies = catalog.movies.trimmed(to: Self.itemsPerList)
        catalog.shows = catalog.shows.trimmed(to: Self.itemsPerList)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        let data = try encoder.encode(catalog)
        try PrivateWrite.write(data, to: fileURL(instanceID: instanceID))
    }
}

/// Owner-only atomic file writes: a 0700 directory, a temporary 0600 file created exclusively,
/// then renamed over the target.
enum PrivateWrite {
    /// Why a write failed.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func write(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        _ = chmod(dir, 0o700)
        let temp = url.path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(description: "Could not create \(temp): \(String(cString: strerror(errno))).") }
        var ok = true
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { if errno == EINTR { continue }; ok = false; break }
                offset += n
            }
        }
        ok = ok && fsync(fd) == 0
        close(fd)
        guard ok, rename(temp, url.path) == 0 else {
            unlink(temp)
            throw Failure(description: "Could not write \(url.path): \(String(cString: strerror(errno))).")
        }
    }
}
