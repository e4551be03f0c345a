import Foundation
import Testing
@testable import MydiaTUI

/// The offline-first cache: owner-only files, a round trip, damaged files ignored.
@Suite struct CatalogCacheTests {
    @Test func savesOwnerOnlyAndLoadsBack() throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory() + "mydia-tui-cache-\(UUID().uuidString)/mydia-tui")
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        let cache = CatalogCache(directory: dir)
        var catalog = CachedCatalog(savedAt: Date(timeIntervalSince1970: 1_800_000_000))
        catalog.movies.append(try T.movies(250, pageSize: 100)[0], replacing: true)
        try cache.save(catalog, instanceID: "abc-123")
        #expect(cache.load(instanceID: "abc-123") == catalog)
        #expect(cache.load(instanceID: "other") == nil)
        let file = dir.appendingPathComponent("catalog-abc-123.json").path
        let fileMode = (try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? NSNumber)?.intValue
        let dirMode = (try FileManager.default.attributesOfItem(atPath: dir.path)[.posixPermissions] as? NSNumber)?.intValue
        #expect(fileMode == 0o600 && dirMode == 0o700)
        try Data("{ not json".utf8).write(to: URL(fileURLWithPath: file))
        #expect(cache.load(instanceID: "abc-123") == nil)
    }

    @Test func directoryFollowsTheEnvironment() {
        #expect(CatalogCache.defaultDirectory(environment: ["MYDIA_CACHE_DIR": "/x/c"]).path == "/x/c")
        #expect(CatalogCache.defaultDirectory(environment: ["XDG_CACHE_HOME": "/xdg"]).path == "/xdg/mydia-tui")
        #expect(CatalogCache.defaultDirectory(environment: ["XDG_CACHE_HOME": "relative", "HOME": "/home/u"]).path == "/home/u/.cache/mydia-tui")
    }
}
