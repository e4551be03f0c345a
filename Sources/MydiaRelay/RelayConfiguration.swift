public import Logging

/// Everything a ``RelayServer`` needs to start.
public struct RelayConfiguration: Sendable {
    /// PEM files for the TLS listener.
    public struct TLSFiles: Sendable, Equatable {
        /// Certificate chain, PEM.
        public var certificatePath: String
        /// Private key, PEM.
        public var privateKeyPath: String
        /// Names both files.
        public init(certificatePath: String, privateKeyPath: String) {
            self.certificatePath = certificatePath
            self.privateKeyPath = privateKeyPath
        }
    }

    /// Address to bind (a literal IP address or `localhost`).
    public var host: String
    /// Port to bind; 0 picks a free one (learn it from ``RelayServer/port()``).
    public var port: Int
    /// TLS files; required for any non-loopback bind (PROTOCOL.md §12.5).
    public var tls: TLSFiles?
    /// Size and rate bounds.
    public var limits: RelayLimits
    /// Timeouts and lifetimes.
    public var timeouts: RelayTimeouts
    /// Where the relay logs. Never receives tunnelled bytes or secrets.
    public var logger: Logger
    /// The fleet this node belongs to (PROTOCOL.md §15); `nil` keeps everything in memory.
    public var fleet: FleetConfiguration?

    /// - Parameters:
    ///   - host: address to bind, loopback by default.
    ///   - port: port to bind; 0 = any free port.
    ///   - tls: PEM certificate and key, or `nil` for plain `ws://` on loopback.
    ///   - limits: size and rate bounds.
    ///   - timeouts: timeouts and lifetimes.
    ///   - logger: the relay's logger.
    ///   - fleet: the shared database and this node's URL, or `nil` for a lone relay.
    public init(
        host: String = "127.0.0.1", port: Int = 0, tls: TLSFiles? = nil, limits: RelayLimits = .init(),
        timeouts: RelayTimeouts = .init(), logger: Logger = Logger(label: "mydia.relay"), fleet: FleetConfiguration? = nil
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.limits = limits
        self.timeouts = timeouts
        self.logger = logger
        self.fleet = fleet
    }
}
