import ArgumentParser
import Foundation
import Logging
import MydiaListener
import MydiaRelay
import MydiaSystem
import MydiaWire

/// `mydia-relay`: argument parsing and wiring only; the relay itself is `MydiaRelay.RelayServer`.
@main
struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mydia-relay",
        abstract: "Forward end-to-end encrypted tunnels between mydia clients and instances, and hold sealed pairing claims.")

    static func main() async {
        MallocTuning.apply()
        await main(nil)
    }

    @Option(help: "Address to bind. Anything but a 127.0.0.0/8 or ::1 literal needs --tls-cert and --tls-key.")
    var host = "127.0.0.1"

    @Option(help: "Port to bind; 0 picks a free port.")
    var port = 8443

    @Flag(help: "Once listening, print one JSON line {\"event\":\"ready\",\"relay_url\":…} to stdout.")
    var printReady = false

    @Option(help: "Client connects (and instance registrations) allowed per IP address per minute.")
    var connectLimit = 60

    @Option(help: "HTTP/WebSocket connections open at once; more are closed as they arrive.")
    var maxConnections = RelayLimits().listener.maxConnections

    @Option(help: "Connections open at once from one IP address (IPv6 by /64).")
    var maxConnectionsPerIp = RelayLimits().listener.maxPerAddress

    @Option(help: "Seconds from accept to a complete request head (the TLS handshake included).")
    var headerTimeout = 10

    @Option(help: "TLS certificate chain (PEM).")
    var tlsCert: String?

    @Option(help: "TLS private key (PEM).")
    var tlsKey: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    @Option(help: "Join a fleet: the shared PostgreSQL database, postgres://USER[:PASSWORD]@HOST[:PORT]/DB (or ?host=/socket/dir). Without it everything stays in memory.")
    var store: String?

    @Option(help: "With --store: this node's public URL (wss://host[:port]), where clients are sent with `moved`.")
    var nodeURL: String?

    @Option(help: "With --store: database connections this node keeps at most.")
    var storePool = 8

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535.") }
        guard connectLimit > 0 else { throw ValidationError("--connect-limit must be at least 1.") }
        guard maxConnections > 0, maxConnectionsPerIp > 0 else {
            throw ValidationError("--max-connections and --max-connections-per-ip must be at least 1.")
        }
        guard (1...3600).contains(headerTimeout) else { throw ValidationError("--header-timeout must be between 1 and 3600 seconds.") }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("Pass --tls-cert and --tls-key together.") }
        guard (store == nil) == (nodeURL == nil) else { throw ValidationError("Pass --store and --node-url together.") }
        guard (1...256).contains(storePool) else { throw ValidationError("--store-pool must be between 1 and 256.") }
        if let store, let nodeURL {
            do { _ = try FleetConfiguration(storeURL: store, nodeURL: nodeURL, poolSize: storePool) } catch {
                throw ValidationError(error.description)
            }
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical.")
        }
    }

    func run() async throws {
        var logger = Logger(label: "mydia.relay") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        var limits = RelayLimits()
        limits.connectsPerMinute = connectLimit
        limits.listener.maxConnections = maxConnections
        limits.listener.maxPerAddress = maxConnectionsPerIp
        limits.listener.headerTimeout = .seconds(headerTimeout)
        let tls = tlsCert.flatMap { cert in tlsKey.map { RelayConfiguration.TLSFiles(certificatePath: cert, privateKeyPath: $0) } }
        let relay: RelayServer
        do {
            let fleet = try store.flatMap { s in try nodeURL.map { try FleetConfiguration(storeURL: s, nodeURL: $0, poolSize: storePool) } }
            relay = try RelayServer(configuration: .init(host: host, port: port, tls: tls, limits: limits, logger: logger, fleet: fleet))
        } catch {
            logger.critical("\(error)")
            throw ExitCode(2)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await relay.run(handlingSignals: true) }
            let origin = try await relay.origin()
            logger.info("relay listening", metadata: ["url": "\(origin)"])
            if printReady {
                let line = try JSONSerialization.data(withJSONObject: ["event": "ready", "relay_url": origin], options: [.sortedKeys, .withoutEscapingSlashes])
                FileHandle.standardOutput.write(line + Data("\n".utf8))
            }
            try await group.next()
        }
    }
}
