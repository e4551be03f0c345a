import Foundation
import Testing
@testable import MydiaTUI

/// What the fetcher refuses before any network: addresses that are neither the instance's own
/// (`/…`) nor `https://`, and instance paths while no session is open. A cached file is served
/// without a session at all; a cached file that no longer decodes is not.
@Suite struct ArtworkFetcherTests {
    static func fetcher() -> (ArtworkFetcher, URL) {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("mydia-artwork-fetcher-\(UUID().uuidString)")
        return (ArtworkFetcher(cache: ImageCache(directory: dir)), dir)
    }

    @Test func refusesAddressesThatAreNeitherTheServersNorHTTPS() async throws {
        let (fetcher, dir) = Self.fetcher()
        defer { try? FileManager.default.removeItem(at: dir) }
        for url in ["http://image.tmdb.org/t/p/w500/x.jpg", "//evil.example/x.jpg", "file:///etc/passwd", "ftp://x/y.jpg", "poster.jpg"] {
            await #expect(throws: ArtworkFetcher.Error.unsupportedURL) { _ = try await fetcher.image(url, api: nil) }
        }
        await #expect(throws: ArtworkFetcher.Error.notConnected) { _ = try await fetcher.image("/api/v1/artwork/movie/m1/poster", api: nil) }
        let outcome = await fetcher.load(ArtworkRequest(url: "http://x/y.jpg", box: PosterBox(columns: 10, rows: 10),
                                                        settings: PosterSettings(mode: .symbols)), api: nil)
        guard case .failed(let sentence) = outcome else { Issue.record("not a failure"); return }
        #expect(sentence == ArtworkFetcher.Error.unsupportedURL.description)
    }

    @Test func aCachedPosterNeedsNoSessionAndIsRenderedAhead() async throws {
        let (fetcher, dir) = Self.fetcher()
        defer { try? FileManager.default.removeItem(at: dir) }
        let png = try Data(contentsOf: ChafaEncoderTests.fixtures.appendingPathComponent("poster.png"))
        let url = "/api/v1/artwork/movie/m1/poster"
        await fetcher.cache.write(url, png)
        let renders = PosterRenderCache()
        let request = ArtworkRequest(url: url, box: PosterBox(columns: 12, rows: 9), settings: PosterSettings(mode: .symbols))
        guard case .ready(let image) = await fetcher.load(request, api: nil, renders: renders) else { Issue.record("not ready"); return }
        #expect(image.width == 60 && image.height == 90)
        #expect(renders.cached(url: url, box: request.box, settings: request.settings) != nil)
        // A cached file that no longer decodes is not served from the cache (and, without a
        // session, cannot be fetched again).
        await fetcher.cache.write(url, Data("<html>gone</html>".utf8))
        guard case .failed = await fetcher.load(request, api: nil, renders: renders) else { Issue.record("served a broken file"); return }
    }
}
