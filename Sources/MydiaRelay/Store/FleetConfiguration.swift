import Foundation

/// How a relay node joins a fleet (PROTOCOL.md §15): the shared PostgreSQL database, this node's
/// public URL, the pool size and the fleet's clocks. Without one, the relay keeps everything in
/// memory (the default).
public struct FleetConfiguration: Sendable {
    /// Why a fleet configuration is refused.
    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        /// The `--store` URL is not a usable `postgres://` URL.
        case invalidStoreURL(String)
        /// The `--node-url` is not `wss://…` (or `ws://` on loopback).
        case invalidNodeURL(String)

        public var description: String {
            switch self {
            case .invalidStoreURL(let why): "The store URL is unusable (\(why)); use postgres://USER[:PASSWORD]@HOST[:PORT]/DB."
            case .invalidNodeURL(let url): "'\(url)' is not a node URL; use wss://host[:port] (ws:// only on 127.0.0.1 or ::1)."
            }
        }
    }

    /// Where the database is and how to log in.
    public var database: PostgresLocation
    /// The URL clients are sent to when this node holds their instance (`moved`, §15).
    public var nodeURL: String
    /// Connections this node keeps open to the database at most.
    public var poolSize: Int
    /// Every query (with the wait for a pooled connection) is abandoned after this.
    public var queryTimeout: Duration
    /// A node rewrites its instances' presence rows this often (§15: 30 s).
    public var presenceRefresh: Duration
    /// A presence row older than this means the instance is offline (§15: 90 s).
    public var presenceLifetime: Duration
    /// How long an instance id stays bound to its key after its last presence (§12.2: 24 h).
    public var bindingRetention: Duration
    /// While the database is unreachable at start, the schema step is retried this often.
    public var retryInterval: Duration

    /// - Parameters:
    ///   - storeURL: `postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?host=/socket/dir&sslmode=disable|prefer|require]`.
    ///   - nodeURL: this node's public `wss://` origin.
    ///   - poolSize: database connections at most (1…256).
    public init(storeURL: String, nodeURL: String, poolSize: Int = 8) throws(Error) {
        database = try PostgresLocation(storeURL)
        guard let origin = try? RelayOriginCheck.origin(nodeURL) else { throw .invalidNodeURL(nodeURL) }
        self.nodeURL = origin
        self.poolSize = min(max(poolSize, 1), 256)
        queryTimeout = .seconds(3)
        presenceRefresh = .seconds(30)
        presenceLifetime = .seconds(90)
        bindingRetention = .seconds(24 * 3600)
        retryInterval = .seconds(2)
    }
}

/// The node-URL rule of §15: `wss://host[:port]`, or `ws://` on a loopback literal.
enum RelayOriginCheck {
    struct Refused: Swift.Error {}

    /// The normalised origin (`wss://host[:port]`, no path), or throws.
    static func origin(_ text: String) throws(Refused) -> String {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty,
            url.path.isEmpty || url.path == "/", url.query == nil, url.user == nil
        else { throw Refused() }
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        switch scheme {
        case "wss": break
        case "ws": guard RelayServer.isLoopback(bare) else { throw Refused() }
        default: throw Refused()
        }
        let authority = bare.contains(":") ? "[\(bare)]" : bare
        return "\(scheme)://\(authority)" + (url.port.map { ":\($0)" } ?? "")
    }
}
