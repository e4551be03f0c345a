import MydiaConnection

/// Plain GETs of instance-relative resources (artwork), with the same bearer handling as
/// GraphQL: the access token of a paired server (refreshed once on a 401) or of a URL login.
extension APIClient {
    /// Why a resource could not be fetched.
    public enum FetchError: Swift.Error, Equatable, CustomStringConvertible {
        /// The path is not an origin-form path of this instance.
        case notInstanceRelative(String)

        /// One plain sentence.
        public var description: String {
            switch self {
            case .notInstanceRelative: "The image address is not one of this server's — it was not fetched."
            }
        }
    }

    /// `GET path` on the instance (over whichever path the connection manager uses), the body
    /// read whole. HTTP error statuses are replies; throws only when no answer arrived.
    /// - Parameter path: an origin-form path starting with `/` (never `//`, which would name a host).
    public func get(path: String, headers: [String: String] = [:]) async throws -> APIReply {
        guard path.hasPrefix("/"), !path.hasPrefix("//"), !path.contains(where: { $0 == "\r" || $0 == "\n" || $0 == " " }) else {
            throw FetchError.notInstanceRelative(path)
        }
        func send(_ bearer: String?) async throws -> APIReply {
            var h = headers
            if let bearer { h["authorization"] = "Bearer \(bearer)" }
            return try await transport.send(APIRequestSpec(method: "GET", path: path, headers: h))
        }
        switch authentication {
        case .anonymous:
            return try await send(nil)
        case .login:
            return try await send(try await storedLogin().accessToken)
        case .paired:
            let token = try await credentials().accessToken
            let reply = try await send(token)
            guard reply.status == 401 else { return reply }
            return try await send(try await refreshAccessToken(replacing: token))
        }
    }
}
