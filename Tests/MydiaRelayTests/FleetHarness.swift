import Foundation
import Logging
import MydiaRelay
import MydiaTestSupport

/// One relay node of a test fleet: a real `RelayServer` on a fixed loopback port whose node URL is
/// `ws://127.0.0.1:PORT`, sharing `database` with the other nodes (PROTOCOL.md §15).
final class FleetNode: Sendable {
    let server: RelayServer
    let port: Int
    private let task: Task<Void, any Error>

    /// Starts a node; `port` 0 picks a free one (pass the old port to restart "the same" node).
    static func start(database: TestPostgres, port: Int = 0, presenceRefresh: Duration = .seconds(30), limits: RelayLimits = RelayLimits()) async throws -> FleetNode {
        let port = port == 0 ? try TestPostgres.freePort() : port
        var logger = Logger(label: "test.fleet")
        logger.logLevel = ProcessInfo.processInfo.environment["RELAY_TEST_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
        var fleet = try FleetConfiguration(storeURL: database.url, nodeURL: "ws://127.0.0.1:\(port)", poolSize: 4)
        fleet.presenceRefresh = presenceRefresh
        fleet.queryTimeout = .seconds(2)
        fleet.retryInterval = .milliseconds(200)
        let server = try RelayServer(configuration: .init(host: "127.0.0.1", port: port, limits: limits, logger: logger, fleet: fleet))
        let task = Task { try await server.run() }
        _ = try await withTimeout(.seconds(10)) { try await server.port() }
        let node = FleetNode(server: server, port: port, task: task)
        try await node.waitUntilStoreReady()
        return node
    }

    private init(server: RelayServer, port: Int, task: Task<Void, any Error>) {
        self.server = server
        self.port = port
        self.task = task
    }

    var nodeURL: String { "ws://127.0.0.1:\(port)" }
    var origin: String { "http://127.0.0.1:\(port)" }
    var tunnelURL: String { "ws://127.0.0.1:\(port)/relay/tunnel/websocket" }
    var clientURL: String { "ws://127.0.0.1:\(port)/relay/client/websocket" }

    /// Waits until the node has its schema in place.
    func waitUntilStoreReady() async throws {
        for _ in 0..<200 {
            if server.isStoreReady { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TimeoutError(what: "the fleet database to be ready")
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}
