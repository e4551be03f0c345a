import Foundation
import Synchronization
import Testing
@testable import MydiaTUI

/// The poster disk cache: the cap holds, the least recently used file goes first (a read counts
/// as a use), files are 0600 in a 0700 folder, and the order survives a new instance.
@Suite struct ImageCacheTests {
    final class Clock: Sendable {
        let value = Mutex(Date(timeIntervalSince1970: 1_000_000))
        func tick() -> Date { value.withLock { $0 += 1; return $0 } }
    }

    @Test func evictsTheLeastRecentlyUsedBeyondTheCap() async throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("mydia-image-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let clock = Clock()
        let cache = ImageCache(directory: dir, capacity: 1000, now: { clock.tick() })
        let a = Data(repeating: 1, count: 400), b = Data(repeating: 2, count: 400), c = Data(repeating: 3, count: 400)
        await cache.write("https://image.tmdb.org/a.jpg", a)
        await cache.write("/api/v1/artwork/movie/b/poster", b)
        #expect(await cache.totalBytes == 800)
        #expect(await cache.read("https://image.tmdb.org/a.jpg") == a)  // a is now the most recent
        await cache.write("https://image.tmdb.org/c.jpg", c)
        #expect(await cache.totalBytes == 800)
        #expect(await cache.contains("/api/v1/artwork/movie/b/poster") == false)
        #expect(await cache.read("https://image.tmdb.org/a.jpg") == a)
        #expect(await cache.read("https://image.tmdb.org/c.jpg") == c)
        // On disk: exactly the two, 0600, in a 0700 folder; no URL in any file name.
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(files.count == 2 && files.allSatisfy { $0.hasSuffix(".img") && !$0.contains("tmdb") })
        for file in files {
            let mode = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(file).path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
        #expect(try FileManager.default.attributesOfItem(atPath: dir.path)[.posixPermissions] as? Int == 0o700)

        // A new instance indexes the folder; the order comes from the files' times.
        let again = ImageCache(directory: dir, capacity: 1000, now: { clock.tick() })
        #expect(await again.totalBytes == 800)
        _ = await again.read("https://image.tmdb.org/c.jpg")
        await again.write("https://image.tmdb.org/d.jpg", Data(repeating: 4, count: 300))
        #expect(await again.contains("https://image.tmdb.org/a.jpg") == false)
        #expect(await again.contains("https://image.tmdb.org/c.jpg"))
        #expect(await again.contains("https://image.tmdb.org/d.jpg"))
        #expect(await again.totalBytes == 700)
        // Larger than the whole cap: not kept, nothing evicted for it.
        await again.write("https://image.tmdb.org/huge.jpg", Data(repeating: 5, count: 2000))
        #expect(await again.contains("https://image.tmdb.org/huge.jpg") == false)
        #expect(await again.totalBytes == 700)
    }
}
