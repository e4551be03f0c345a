import Foundation
public import MydiaAPI

/// Gets a poster's bytes and decodes them: from the disk cache, else from the instance for a
/// server-relative URL (through the API client, so over the relay or the direct path with the
/// bearer), else over HTTPS for an absolute one (stock Mydia gives TMDB URLs): the project's own
/// NIO client, verified against the system roots with the host name checked (`PosterHTTPS`) — not
/// URLSession, whose libcurl and its TLS stack would load into every `mydia-tui` process. Only a
/// file that decoded is cached.
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
        /// The poster's server could not be reached or its connection failed (the reason).
        case unreachable(String)
        /// The poster's server presented a certificate this computer does not trust for its name.
        case untrusted(host: String)
        /// More redirects than ``maxRedirects``, or one to an address that is not `https://`.
        case badRedirect
        /// No whole answer within the fetch's time budget.
        case timedOut

        /// One plain sentence.
        public var description: String {
            switch self {
            case .unsupportedURL: "The poster's address is neither the server's nor https — it was not fetched."
            case .notConnected: "Not connected to the server, so the poster was not fetched."
            case .http(let status): "The poster could not be fetched (HTTP \(status))."
            case .tooLarge: "The poster file is too large to show."
            case .unreachable(let why): "The poster's server could not be reached (\(why))."
            case .untrusted(let host): "The certificate of \(host) is not trusted, so the poster was not fetched."
            case .badRedirect: "The poster's address redirects too often or away from https, so it was not fetched."
            case .timedOut: "The poster's server did not answer in time."
            }
        }
    }

    /// The disk cache.
    public let cache: ImageCache
    /// Largest poster file accepted.
    public static let maxBytes = 20 << 20
    /// Redirects followed for an absolute URL (each must stay `https://`).
    public static let maxRedirects = 5
    let https: PosterHTTPS

    /// A fetcher caching in `cache`.
    /// - Parameters:
    ///   - trustedCAPEM: PEM certificates trusted for absolute `https://` posters besides the
    ///     system roots (a private CA; tests give theirs).
    ///   - timeout: the budget of one absolute fetch, redirects and body included.
    public init(cache: ImageCache, trustedCAPEM: String? = nil, timeout: Duration = .seconds(30)) {
        self.cache = cache
        https = PosterHTTPS(trustedCAPEM: trustedCAPEM, timeout: timeout)
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
        return try await https.fetch(url)
    }
}
