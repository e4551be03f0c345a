import Foundation
public import MydiaAPI
public import MydiaConnection

/// Where the proxy fetches media: the instance API over whichever path is up.
public protocol MediaUpstream: Sendable {
    /// Sends one media request (`GET`/`HEAD` of an `/api/v1/hls/…` or `/api/v1/stream/file/…`
    /// path) and returns the response, whose body survives a path change (§8.5).
    func send(_ request: PathRequest) async throws -> PathResponse
    /// Which path new requests take right now, if any.
    func currentPath() async -> PathKind?
}

/// The real upstream: the ConnectionManager, authorised with the media token as `?token=` for a
/// paired instance (PROTOCOL.md §7, §11.14; on HTTP 401 the media token is refreshed once and the
/// request repeated). A URL-login server's path adds the access token as `Authorization: Bearer`
/// to every request itself and takes no token in a URL (§14.2.3): its requests go as they are.
/// The token exists only in the upstream request, never in the player's URLs.
public struct ConnectionUpstream: MediaUpstream {
    private let manager: ConnectionManager
    private let api: APIClient

    /// - Parameters:
    ///   - manager: the connection manager of the open client session.
    ///   - api: its API client (holds the media token and refreshes it).
    public init(manager: ConnectionManager, api: APIClient) {
        self.manager = manager
        self.api = api
    }

    public func send(_ request: PathRequest) async throws -> PathResponse {
        guard case .paired = api.authentication else {
            // A URL login is never refreshed: a 401 means the server no longer accepts it (§14.2.3).
            let response = try await manager.send(request)
            if response.status == 401 { throw APIClient.Error.loginExpired }
            return response
        }
        let token = try await api.storedCredentials().mediaToken
        let response = try await manager.send(Self.authorised(request, token: token))
        guard response.status == 401 else { return response }
        _ = try await api.refreshMediaToken()
        let fresh = try await api.storedCredentials().mediaToken
        return try await manager.send(Self.authorised(request, token: fresh))
    }

    public func currentPath() async -> PathKind? {
        switch await manager.currentState {
        case .relay: .relay
        case .dual, .direct: .direct
        default: nil
        }
    }

    static func authorised(_ request: PathRequest, token: String) -> PathRequest {
        var authorised = request
        let encoded = token.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
        authorised.path += (request.path.contains("?") ? "&" : "?") + "token=" + encoded
        return authorised
    }
}

/// Passes requests through and tells playback when the server refused this URL login
/// (`APIClient.Error.loginExpired`), so it can end cleanly instead of leaving mpv to fail.
struct LoginWatchUpstream: MediaUpstream {
    let base: any MediaUpstream
    let rejected: AsyncStream<Void>.Continuation

    func send(_ request: PathRequest) async throws -> PathResponse {
        do {
            return try await base.send(request)
        } catch APIClient.Error.loginExpired {
            rejected.yield()
            throw APIClient.Error.loginExpired
        }
    }

    func currentPath() async -> PathKind? { await base.currentPath() }
}
