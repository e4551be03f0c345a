import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
public import MydiaAPI

/// Gets a poster's bytes and decodes them: from the disk cache, else from the instance for a
/// server-relative URL (through the API client, so over the relay or the direct path with the
/// bearer), else over plain HTTPS for an absolute one (stock Mydia gives TMDB URLs). Only a file
/// that decoded is cached.
public struct ArtworkFetcher: Sendable {
    /// Why a poster could not be had.
    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        /// Neither instance-relative nor `https://`.
        case unsupportedURL
        /// A relative URL while no session is open.
        case notConnected
        /// The server answered with an error status.
        case http(Int)
        /// Larger than ``maxBytes``.
        case tooLarge

        /// One plain sentence.
        public var description: String {
            switch self {
            case .unsupportedURL: "The poster's address is neither the server's nor https — it was not fetched."
            case .notConnected: "Not connected to the server, so the poster was not fetched."
            case .http(let status): "The poster could not be fetched (HTTP \(status))."
            case .tooLarge: "The poster file is too large to show."
            }
        }
    }

    /// The disk cache.
    public let cache: ImageCache
    /// Largest poster file accepted.
    public static let maxBytes = 20 << 20
    private let session: URLSession

    /// A fetcher caching in `cache`.
    public init(cache: ImageCache) {
        self.cache = cache
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 15
        configuration.timeoutIntervalForResource = 30
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        session = URLSession(configuration: configuration)
    }

    /// The decoded poster for `url`; `api` serves instance-relative URLs.
    public func image(_ url: String, api: APIClient?) async throws -> DecodedImage {
        if let cached = await cache.read(url), let image = try? DecodedImage.decode(cached, minimumSide: 300) { return image }
        let data = try await fetch(url, api: api)
        let image = try DecodedImage.decode(data, minimumSide: 300)
        await cache.write(url, data)
        return image
    }

    /// Runs a request to its end: the image, rendered for its box ahead of the frame that shows it.
    public func load(_ request: ArtworkRequest, api: APIClient?, renders: PosterRenderCache = .shared) async -> ArtworkOutcome {
        do {
            let image = try await image(request.url, api: api)
            _ = renders.art(url: request.url, image: image, box: request.box, settings: request.settings)
            return .ready(image)
        } catch {
            return .failed(String(describing: error))
        }
    }

    func fetch(_ url: String, api: APIClient?) async throws -> Data {
        if url.hasPrefix("/") && !url.hasPrefix("//") {
            guard let api else { throw Error.notConnected }
            let reply = try await api.get(path: url, headers: ["accept": "image/jpeg, image/png, image/webp"])
            guard reply.status == 200 else { throw Error.http(reply.status) }
            guard reply.body.count <= Self.maxBytes else { throw Error.tooLarge }
            return Data(reply.body)
        }
        guard let absolute = URL(string: url), absolute.scheme?.lowercased() == "https", absolute.host != nil else { throw Error.unsupportedURL }
        var request = URLRequest(url: absolute)
        request.setValue("image/jpeg, image/png, image/webp", forHTTPHeaderField: "Accept")
        let (data, response) = try await session.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else { throw Error.http(status) }
        guard data.count <= Self.maxBytes else { throw Error.tooLarge }
        return data
    }
}
