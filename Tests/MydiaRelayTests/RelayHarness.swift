import Foundation
import Logging
import MydiaCrypto
import MydiaRelay
import MydiaTestSupport
import MydiaWire
import Synchronization
import Testing

/// A test clock: the continuous clock plus a manual offset.
final class ManualClock: Sendable {
    private let offset = Box(Duration.zero)
    var relayClock: RelayClock { RelayClock { [offset] in ContinuousClock.now + offset.withLock { $0 } } }
    func advance(by d: Duration) { offset.withLock { $0 += d } }
}

/// A real relay on 127.0.0.1:0, run in-process for one test.
final class RelayHarness: Sendable {
    let server: RelayServer
    let port: Int
    private let task: Task<Void, any Error>

    static func start(
        limits: RelayLimits = .init(), timeouts: RelayTimeouts = .init(), clock: RelayClock = .continuous, logger: Logger? = nil
    ) async throws -> RelayHarness {
        var quiet = Logger(label: "test.relay")
        quiet.logLevel = ProcessInfo.processInfo.environment["RELAY_TEST_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
        let logger = logger ?? quiet
        let server = try RelayServer(configuration: .init(host: "127.0.0.1", port: 0, limits: limits, timeouts: timeouts, logger: logger), clock: clock)
        let task = Task { try await server.run() }
        let port = try await withTimeout(.seconds(10)) { try await server.port() }
        return RelayHarness(server: server, port: port, task: task)
    }

    private init(server: RelayServer, port: Int, task: Task<Void, any Error>) {
        self.server = server
        self.port = port
        self.task = task
    }

    var origin: String { "http://127.0.0.1:\(port)" }
    var tunnelURL: String { "ws://127.0.0.1:\(port)/relay/tunnel/websocket" }
    var clientURL: String { "ws://127.0.0.1:\(port)/relay/client/websocket" }

    func stop() async {
        task.cancel()
        _ = await task.result
    }

    /// A test instance identity.
    struct Instance {
        let id: String
        let keys: X25519KeyPair
        init(id: String = UUID().uuidString.lowercased(), keys: X25519KeyPair = .generate()) {
            self.id = id
            self.keys = keys
        }
    }

    /// Opens an instance socket, answers the challenge, and returns the socket with the relay's reply.
    func register(_ instance: Instance, relayProtocol: [Int] = [1], tamper: Bool = false) async throws -> (TestSocket, RelayMessage) {
        let socket = TestSocket(tunnelURL)
        guard case .challenge(let nonce, let relayKey) = try await socket.nextMessage() else {
            throw TestSocket.Failure.unexpected("no challenge first")
        }
        #expect(nonce.count == 32 && relayKey.count == 32)
        var proof = try RegistrationProof.make(staticKey: instance.keys, relayKey: relayKey, nonce: nonce, instanceID: instance.id)
        if tamper { proof[0] ^= 1 }
        socket.send(.register(.init(instanceID: instance.id, publicKey: instance.keys.publicKey, relayProtocol: relayProtocol, proof: proof)))
        return (socket, try await socket.nextMessage())
    }

    /// A registered instance socket (fails the test otherwise).
    func registeredInstance(_ instance: Instance = Instance()) async throws -> (TestSocket, Instance) {
        let (socket, reply) = try await register(instance)
        #expect(reply == .registered(relayProtocol: 1))
        return (socket, instance)
    }

    /// A client socket with a session to `instance`; returns the client, the session id as seen by
    /// both sides.
    func connectedClient(to instance: Instance, instanceSocket: TestSocket) async throws -> (TestSocket, String) {
        let client = TestSocket(clientURL)
        client.send(.connect(instanceID: instance.id))
        guard case .connected(let connected) = try await client.nextMessage() else {
            throw TestSocket.Failure.unexpected("no connected")
        }
        let announcement = try await instanceSocket.nextMessage()
        guard case .connection(let announced) = announcement else {
            throw TestSocket.Failure.unexpected("no connection at the instance but \(announcement)")
        }
        #expect(announced == connected.sessionID)
        return (client, connected.sessionID)
    }
}

extension RelayHarness {
    /// Waits until the relay reports `instance` offline to a client (it notices a closed instance
    /// socket asynchronously).
    func waitUntilOffline(_ instance: Instance) async throws {
        let client = TestSocket(clientURL)
        for _ in 0..<100 {
            client.send(.connect(instanceID: instance.id))
            if case .error(.instanceOffline, _) = try await client.nextMessage() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestSocket.Failure.timeout("the instance to go offline")
    }
}
