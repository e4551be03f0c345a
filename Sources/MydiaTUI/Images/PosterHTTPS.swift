import Foundation
import MydiaTransport
import Synchronization

/// Absolute `https://` posters (stock Mydia hands out TMDB URLs): a GET over the direct path's
/// own NIO client in its verified mode — system roots plus an optional extra CA, host name
/// checked, TLS 1.2 or newer — with no bearer, redirects followed while they stay `https://`, the
/// body capped at `ArtworkFetcher.maxBytes` and the whole fetch bounded by `timeout`. One client
/// per origin is kept (up to `maxOrigins`) so its idle connection serves the next poster.
final class PosterHTTPS: Sendable {
    /// Origins whose client (and idle connection) is kept.
    static let maxOrigins = 8
    let trustedCAPEM: String?
    let timeout: Duration
    private let clients = Mutex<[String: DirectClient]>([:])

    init(trustedCAPEM: String?, timeout: Duration) {
        self.trustedCAPEM = trustedCAPEM
        self.timeout = timeout
    }

    /// The body of `url` when it answers 200, within the time budget.
    func fetch(_ url: String) async throws(ArtworkFetcher.Error) -> Data {
        let budget = timeout
        let outcome: Result<Data, ArtworkFetcher.Error> = await withTaskGroup(of: Result<Data, ArtworkFetcher.Error>?.self) { group in
            group.addTask {
                do throws(ArtworkFetcher.Error) { return .success(try await self.follow(url)) } catch { return .failure(error) }
            }
            group.addTask {
                do { try await Task.sleep(for: budget) } catch { return nil }
                return .failure(.timedOut)
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .failure(.timedOut)
        }
        return try outcome.get()
    }

    /// GETs `url`, following redirects.
    private func follow(_ url: String) async throws(ArtworkFetcher.Error) -> Data {
        var current = try Target(url)
        for _ in 0...ArtworkFetcher.maxRedirects {
            let response: TransportResponse
            do {
                response = try await client(current.origin).request(
                    method: "GET", path: current.path, headers: ["accept": "image/jpeg, image/png, image/webp"], bearer: nil)
            } catch {
                throw Self.translate(error, host: current.host)
            }
            switch response.status {
            case 200:
                if let length = response[header: "content-length"].flatMap(Int.init), length > ArtworkFetcher.maxBytes { throw .tooLarge }
                do { return Data(try await response.body.collect(upTo: ArtworkFetcher.maxBytes)) } catch is TransportError {
                    throw .tooLarge
                } catch {
                    throw .unreachable("the connection closed during the transfer")
                }
            case 301, 302, 303, 307, 308:
                guard let location = response[header: "location"], let next = URL(string: location, relativeTo: current.url)?.absoluteString
                else { throw .http(response.status) }
                do { current = try Target(next) } catch { throw .badRedirect }
            default:
                throw .http(response.status)
            }
        }
        throw .badRedirect
    }

    /// The kept client for an origin, made on first use (verified mode, never pinned or plain).
    private func client(_ origin: String) throws -> DirectClient {
        if let kept = clients.withLock({ $0[origin] }) { return kept }
        let made = try DirectClient(baseURL: origin, tls: .verified(extraCAPEM: trustedCAPEM))
        return clients.withLock { all in
            if let raced = all[origin] { return raced }
            if all.count >= Self.maxOrigins { all.removeAll() }
            all[origin] = made
            return made
        }
    }

    /// The client's sentence, narrowed to what a poster fetch can say.
    private static func translate(_ error: any Error, host: String) -> ArtworkFetcher.Error {
        switch error as? DirectClient.Error {
        case .untrustedCertificate, .hostnameMismatch: .untrusted(host: host)
        case .timedOut: .timedOut
        case .cancelled: .timedOut
        case .invalidURL: .unsupportedURL
        case .some(let other): .unreachable(Self.reason(other))
        case nil: .unreachable(String(describing: error))
        }
    }

    /// The part of the client's sentence in parentheses ("Connection refused"), else all of it.
    private static func reason(_ error: DirectClient.Error) -> String {
        switch error {
        case .unreachable(let why), .tls(let why): why
        case .connectionClosed: "the connection closed"
        default: error.description
        }
    }

    /// An absolute `https://` URL split into the client's origin and the request target.
    struct Target {
        let url: URL
        let host: String
        /// `https://host[:port]`.
        let origin: String
        /// Path and query, percent-encoded as given.
        let path: String

        init(_ string: String) throws(ArtworkFetcher.Error) {
            guard let url = URL(string: string), let parts = URLComponents(url: url, resolvingAgainstBaseURL: true),
                  parts.scheme?.lowercased() == "https", let host = parts.host, !host.isEmpty, parts.user == nil, parts.password == nil
            else { throw .unsupportedURL }
            self.url = url
            self.host = host
            let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
            origin = "https://\(bracketed)" + (parts.port.map { ":\($0)" } ?? "")
            let encodedPath = parts.percentEncodedPath.isEmpty ? "/" : parts.percentEncodedPath
            path = encodedPath + (parts.percentEncodedQuery.map { "?\($0)" } ?? "")
        }
    }
}
