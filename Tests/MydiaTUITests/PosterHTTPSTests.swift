import Foundation
import MydiaTestSupport
import Testing
@testable import MydiaTUI

/// Absolute `https://` posters (stock Mydia's TMDB URLs) over the project's own NIO client against
/// a real NIOSSL server with a certificate from a test CA: fetched and cached when the CA is
/// trusted, refused without it, redirects followed only while they stay `https://`, errors and the
/// time budget as sentences.
@Suite(.serialized) struct PosterHTTPSTests {
    /// A CA, a leaf for 127.0.0.1, a server answering with `handler`, and a fetcher.
    struct Lab {
        let certificates: TestCertificates
        let server: TestHTTPServer
        let directory: URL

        init(handler: @escaping @Sendable (TestHTTPRequest) async -> TestHTTPResponse) async throws {
            certificates = try TestCertificates()
            let leaf = try certificates.leaf("posters", subjectAltNames: ["IP:127.0.0.1", "DNS:localhost"])
            server = try await TestHTTPServer.start(identity: leaf, handler: handler)
            directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("mydia-poster-https-\(UUID().uuidString)")
        }

        func fetcher(trusting: Bool = true, timeout: Duration = .seconds(30)) -> ArtworkFetcher {
            ArtworkFetcher(cache: ImageCache(directory: directory), trustedCAPEM: trusting ? certificates.caPEM : nil, timeout: timeout)
        }

        func url(_ path: String) -> String { "https://127.0.0.1:\(server.port)\(path)" }

        func remove() {
            server.close()
            certificates.remove()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    static let png: [UInt8] = Array((try? ChafaEncoderTests.fixture("poster.png")) ?? Data())

    static func serve(_ request: TestHTTPRequest) async -> TestHTTPResponse {
        switch request.uri {
        case "/t/p/w500/poster.png?size=w500": return TestHTTPResponse(status: 200, headers: ["content-type": "image/png"], body: png)
        case "/moved": return TestHTTPResponse(status: 302, headers: ["location": "/t/p/w500/poster.png?size=w500"])
        case "/to-plain": return TestHTTPResponse(status: 301, headers: ["location": "http://127.0.0.1:9/poster.png"])
        case "/loop": return TestHTTPResponse(status: 307, headers: ["location": "/loop"])
        case "/huge": return TestHTTPResponse(status: 200, body: [UInt8](repeating: 0, count: ArtworkFetcher.maxBytes + 1))
        case "/slow":
            try? await Task.sleep(for: .seconds(2))
            return TestHTTPResponse(status: 200, body: png)
        default: return TestHTTPResponse(status: 404)
        }
    }

    @Test func anHTTPSPosterIsFetchedWithoutTheBearerDecodedAndCached() async throws {
        let lab = try await Lab(handler: Self.serve)
        defer { lab.remove() }
        let fetcher = lab.fetcher()
        let url = lab.url("/t/p/w500/poster.png?size=w500")
        let image = try await fetcher.image(url, api: nil)
        #expect(image.width == 60 && image.height == 90)
        let request = try #require(lab.server.requests.last)
        #expect(request.method == "GET" && request.uri == "/t/p/w500/poster.png?size=w500")
        #expect(request.headers["authorization"] == nil)
        #expect(request.headers["accept"] == "image/jpeg, image/png, image/webp")
        #expect(await fetcher.cache.read(url) == Data(Self.png))
    }

    @Test func aCertificateThisComputerDoesNotTrustIsRefusedBeforeAnyRequest() async throws {
        let lab = try await Lab(handler: Self.serve)
        defer { lab.remove() }
        let fetcher = lab.fetcher(trusting: false)
        let url = lab.url("/t/p/w500/poster.png?size=w500")
        await #expect(throws: ArtworkFetcher.Error.untrusted(host: "127.0.0.1")) { _ = try await fetcher.image(url, api: nil) }
        #expect(lab.server.requests.isEmpty)
        #expect(await fetcher.cache.read(url) == nil)
        #expect(ArtworkFetcher.Error.untrusted(host: "127.0.0.1").description == "The certificate of 127.0.0.1 is not trusted, so the poster was not fetched.")
    }

    @Test func redirectsAreFollowedOnlyWhileTheyStayHTTPS() async throws {
        let lab = try await Lab(handler: Self.serve)
        defer { lab.remove() }
        let fetcher = lab.fetcher()
        #expect(try await fetcher.image(lab.url("/moved"), api: nil).width == 60)
        await #expect(throws: ArtworkFetcher.Error.badRedirect) { _ = try await fetcher.image(lab.url("/to-plain"), api: nil) }
        let before = lab.server.requests.count
        await #expect(throws: ArtworkFetcher.Error.badRedirect) { _ = try await fetcher.image(lab.url("/loop"), api: nil) }
        #expect(lab.server.requests.count - before == ArtworkFetcher.maxRedirects + 1)
    }

    @Test func statusSizeAndTimeAreSentences() async throws {
        let lab = try await Lab(handler: Self.serve)
        defer { lab.remove() }
        let fetcher = lab.fetcher()
        await #expect(throws: ArtworkFetcher.Error.http(404)) { _ = try await fetcher.image(lab.url("/missing.jpg"), api: nil) }
        await #expect(throws: ArtworkFetcher.Error.tooLarge) { _ = try await fetcher.image(lab.url("/huge"), api: nil) }
        let impatient = lab.fetcher(timeout: .milliseconds(300))
        let started = ContinuousClock.now
        await #expect(throws: ArtworkFetcher.Error.timedOut) { _ = try await impatient.image(lab.url("/slow"), api: nil) }
        #expect(ContinuousClock.now - started < .seconds(2))
        // Nothing listens on port 9: the reason is the system's.
        let outcome = await fetcher.load(ArtworkRequest(url: "https://127.0.0.1:9/x.jpg", box: PosterBox(columns: 10, rows: 10),
                                                        settings: PosterSettings(mode: .symbols)), api: nil)
        guard case .failed(let sentence) = outcome else { Issue.record("not a failure"); return }
        #expect(sentence.hasPrefix("The poster's server could not be reached ("), "\(sentence)")
    }
}
