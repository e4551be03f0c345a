import Foundation

/// A parsed `postgres://` URL: TCP host and port or a unix-socket directory, user, password,
/// database and TLS mode (the libpq URL subset a relay operator needs).
public struct PostgresLocation: Sendable, Equatable {
    /// How the connection uses TLS (`sslmode`).
    public enum TLSMode: String, Sendable, Equatable {
        case disable, prefer, require
    }

    /// TCP host name or address; `nil` with a unix socket.
    public var host: String?
    /// TCP port, and the number in the unix socket's name.
    public var port: Int
    /// Directory holding `.s.PGSQL.<port>`, from `?host=/dir` (libpq's spelling).
    public var socketDirectory: String?
    /// Role to log in as.
    public var user: String
    /// Password, if the URL has one. Never logged.
    public var password: String?
    /// Database name.
    public var database: String
    /// TLS mode: `disable` on a unix socket or loopback by default, else `prefer`.
    public var tls: TLSMode

    /// The unix socket's full path, when connecting through one.
    public var socketPath: String? { socketDirectory.map { "\($0)/.s.PGSQL.\(port)" } }

    /// Parses `postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?host=/dir&sslmode=…]`.
    init(_ text: String) throws(FleetConfiguration.Error) {
        guard let parts = URLComponents(string: text), let scheme = parts.scheme?.lowercased(),
            scheme == "postgres" || scheme == "postgresql"
        else { throw .invalidStoreURL("it must start with postgres://") }
        guard let user = parts.user, !user.isEmpty else { throw .invalidStoreURL("it names no user") }
        let database = String(parts.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else { throw .invalidStoreURL("it names no database") }
        var socketDirectory: String?
        var tls: TLSMode?
        for item in parts.queryItems ?? [] {
            switch item.name {
            case "host":
                guard let dir = item.value, dir.hasPrefix("/") else { throw .invalidStoreURL("host= must be an absolute socket directory") }
                socketDirectory = dir
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw .invalidStoreURL("sslmode must be disable, prefer or require")
                }
                tls = mode
            default:
                throw .invalidStoreURL("unknown parameter \(item.name)")
            }
        }
        let host = parts.host.flatMap { $0.isEmpty ? nil : $0 }
        guard host != nil || socketDirectory != nil else { throw .invalidStoreURL("it names no host") }
        if let port = parts.port, !(1...65_535).contains(port) { throw .invalidStoreURL("the port is out of range") }
        self.host = socketDirectory == nil ? host : nil
        port = parts.port ?? 5432
        self.socketDirectory = socketDirectory
        self.user = user
        password = parts.password
        self.database = database
        let local = socketDirectory != nil || host.map { RelayServer.isLoopback($0) || $0 == "localhost" } == true
        self.tls = tls ?? (local ? .disable : .prefer)
    }
}
