import Foundation
import MydiaCrypto
import MydiaRelay
import MydiaTestSupport
import MydiaWire
import Testing

/// The relay as a fleet (PROTOCOL.md §15): several in-process nodes on one real PostgreSQL server
/// started by the test.
@Suite(.serialized, .enabled(if: TestPostgres.isInstalled, Comment(rawValue: TestPostgres.skipReason)))
struct FleetStoreTests {
    /// Opens an instance socket on `url`, proves `instance`'s key and returns the relay's reply.
    static func register(_ instance: RelayHarness.Instance, at url: String) async throws -> (TestSocket, RelayMessage) {
        let socket = TestSocket(url)
        guard case .challenge(let nonce, let relayKey) = try await socket.nextMessage() else {
            throw TestSocket.Failure.unexpected("no challenge first")
        }
        let proof = try RegistrationProof.make(staticKey: instance.keys, relayKey: relayKey, nonce: nonce, instanceID: instance.id)
        socket.send(.register(.init(instanceID: instance.id, publicKey: instance.keys.publicKey, proof: proof)))
        return (socket, try await socket.nextMessage())
    }

    /// A client `connect` on `url`: the raw JSON text of the relay's first answer.
    static func connectText(_ instanceID: String, at url: String) async throws -> String {
        let client = TestSocket(url)
        defer { client.close() }
        client.send(.connect(instanceID: instanceID))
        guard case .text(let text)? = await client.next(timeout: .seconds(10)) else {
            throw TestSocket.Failure.unexpected("no answer to connect")
        }
        return text
    }

    @Test func claimPublishedThroughOneNodeIsFoundThroughAnotherAndFirstWriterWins() async throws {
        let db = try await TestPostgres.start()
        defer { db.shutdown() }
        let a = try await FleetNode.start(database: db)
        let b = try await FleetNode.start(database: db)
        defer { Task { await a.stop(); await b.stop() } }

        let key = ClaimAPITests.lookupKey(7)
        let secret = ClaimKeys.makeDeleteSecret()
        let posted = try await http("POST", a.origin + "/pairing/v2/claim", json: ClaimAPITests.publishBody(key, secret: secret))
        #expect(posted.status == 204)
        let found = try await http("GET", b.origin + "/pairing/v2/claim/\(key)")
        #expect(found.status == 200)
        #expect(found.json["sealed"] == "c2VhbGVkLWNsYWlt")

        // §12.6a across nodes: a second POST of the same lookup key through B is a conflict.
        let again = try await http("POST", b.origin + "/pairing/v2/claim", json: ClaimAPITests.publishBody(key, sealed: "b3RoZXI", secret: secret))
        #expect(again.status == 409)

        // §12.7: DELETE through B needs the owner's secret.
        let wrong = try await http("DELETE", b.origin + "/pairing/v2/claim/\(key)", json: #"{"delete_secret":"not-it"}"#)
        #expect(wrong.status == 403)
        let deleted = try await http("DELETE", b.origin + "/pairing/v2/claim/\(key)", json: "{\"delete_secret\":\"\(secret)\"}")
        #expect(deleted.status == 204)
        #expect(try await http("GET", a.origin + "/pairing/v2/claim/\(key)").status == 404)
    }

    @Test func bindingSurvivesANodeRestartAndASquatterIsRefused() async throws {
        let db = try await TestPostgres.start()
        defer { db.shutdown() }
        let node = try await FleetNode.start(database: db)
        let owner = RelayHarness.Instance()
        let (socket, reply) = try await Self.register(owner, at: node.tunnelURL)
        #expect(reply == .registered(relayProtocol: 1))
        socket.close()
        await node.stop()

        // The same node comes back with empty memory; the database remembers the binding.
        let restarted = try await FleetNode.start(database: db, port: node.port)
        defer { Task { await restarted.stop() } }
        let squatter = RelayHarness.Instance(id: owner.id)
        let (refused, refusal) = try await Self.register(squatter, at: restarted.tunnelURL)
        guard case .error(let code, _) = refusal else { Issue.record("expected a conflict, got \(refusal)"); return }
        #expect(code == .instanceIDConflict)
        #expect(await refused.waitForClose())

        let (back, again) = try await Self.register(owner, at: restarted.tunnelURL)
        #expect(again == .registered(relayProtocol: 1))
        back.close()
    }

    @Test func clientOnAnotherNodeIsMovedToTheInstancesNode() async throws {
        let db = try await TestPostgres.start()
        defer { db.shutdown() }
        let a = try await FleetNode.start(database: db)
        let b = try await FleetNode.start(database: db)
        defer { Task { await a.stop(); await b.stop() } }
        let instance = RelayHarness.Instance()
        let (socket, reply) = try await Self.register(instance, at: a.tunnelURL)
        #expect(reply == .registered(relayProtocol: 1))

        let answer = try await Self.connectText(instance.id, at: b.clientURL)
        #expect(try RelayMessage.decode(answer) == .error(code: .moved, message: "The instance is connected to another relay node; reconnect there."))
        #expect(RelayMoved.relayURL(in: answer) == a.nodeURL)

        // Unknown ids are still not found, through any node.
        let unknown = try await Self.connectText(UUID().uuidString.lowercased(), at: b.clientURL)
        #expect(try RelayMessage.decode(unknown) == .error(code: .instanceNotFound, message: "The relay does not know this instance."))

        // The instance leaves: no node sends clients anywhere, both say offline.
        socket.close()
        #expect(await socket.waitForClose())
        var offline = ""
        for _ in 0..<100 {
            offline = try await Self.connectText(instance.id, at: b.clientURL)
            if offline.contains("instance_offline") { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(offline.contains("instance_offline"))
    }

    @Test func registeringOnAnotherNodeRetiresTheOlderSocket() async throws {
        let db = try await TestPostgres.start()
        defer { db.shutdown() }
        let a = try await FleetNode.start(database: db)
        let b = try await FleetNode.start(database: db)
        defer { Task { await a.stop(); await b.stop() } }
        let instance = RelayHarness.Instance()
        let (onA, _) = try await Self.register(instance, at: a.tunnelURL)
        let (onB, reply) = try await Self.register(instance, at: b.tunnelURL)
        #expect(reply == .registered(relayProtocol: 1))
        // A's next presence refresh finds the row naming B and closes its own socket (§12.2, §15).
        await a.server.refreshPresence()
        #expect(await onA.waitForClose())
        let answer = try await Self.connectText(instance.id, at: a.clientURL)
        #expect(RelayMoved.relayURL(in: answer) == b.nodeURL)
        onB.close()
    }

    @Test func databaseDownGivesClearErrorsAndNodesRecoverWhenItReturns() async throws {
        let db = try await TestPostgres.start()
        defer { db.shutdown() }
        let a = try await FleetNode.start(database: db)
        let b = try await FleetNode.start(database: db)
        defer { Task { await a.stop(); await b.stop() } }
        let instance = RelayHarness.Instance()
        let (socket, _) = try await Self.register(instance, at: a.tunnelURL)

        try await db.stop()
        let key = ClaimAPITests.lookupKey(9)
        let secret = ClaimKeys.makeDeleteSecret()
        let refused = try await http("POST", a.origin + "/pairing/v2/claim", json: ClaimAPITests.publishBody(key, secret: secret))
        #expect(refused.status == 503)
        #expect(refused.json["error"] == "unavailable")
        let lookup = try await http("GET", b.origin + "/pairing/v2/claim/\(key)")
        #expect(lookup.status == 503)
        // Cross-node lookup: a clear `unavailable`, never a guess.
        let answer = try await Self.connectText(instance.id, at: b.clientURL)
        #expect(try RelayMessage.decode(answer) == .error(code: .unavailable, message: "The relay cannot reach its database to find this instance; try again shortly."))
        // A new registration cannot be checked against the bound key: refused, not trusted.
        let (_, registration) = try await Self.register(RelayHarness.Instance(), at: b.tunnelURL)
        guard case .error(let code, _) = registration else { Issue.record("expected unavailable, got \(registration)"); return }
        #expect(code == .unavailable)
        // The instance already on A still serves clients that reach A.
        let local = TestSocket(a.clientURL)
        local.send(.connect(instanceID: instance.id))
        guard case .connected = try await local.nextMessage() else { Issue.record("expected connected on the instance's own node"); return }
        local.close()

        try await db.startServer()
        var recovered = 0
        for _ in 0..<100 {
            recovered = try await http("POST", a.origin + "/pairing/v2/claim", json: ClaimAPITests.publishBody(key, secret: secret)).status
            if recovered == 204 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(recovered == 204)
        #expect(try await http("GET", b.origin + "/pairing/v2/claim/\(key)").status == 200)
        let moved = try await Self.connectText(instance.id, at: b.clientURL)
        #expect(RelayMoved.relayURL(in: moved) == a.nodeURL)
        socket.close()
    }

    @Test func aHungDatabaseIsAnsweredWithinTheQueryDeadline() async throws {
        let db = try await TestPostgres.start()
        defer { db.shutdown() }
        let a = try await FleetNode.start(database: db)
        let b = try await FleetNode.start(database: db)
        defer { Task { await a.stop(); await b.stop() } }
        let key = ClaimAPITests.lookupKey(11)
        let secret = ClaimKeys.makeDeleteSecret()
        #expect(try await http("POST", a.origin + "/pairing/v2/claim", json: ClaimAPITests.publishBody(key, secret: secret)).status == 204)

        // Connections stay open and nothing answers: every request still ends, by the 2 s deadline.
        try db.freeze(true)
        let start = ContinuousClock.now
        let hung = try await http("GET", b.origin + "/pairing/v2/claim/\(key)")
        let waited = ContinuousClock.now - start
        #expect(hung.status == 503)
        #expect(waited < .seconds(5), "the lookup took \(waited)")
        let answer = try await Self.connectText(UUID().uuidString.lowercased(), at: b.clientURL)
        #expect(answer.contains("\"unavailable\""))

        try db.freeze(false)
        var status = 0
        for _ in 0..<100 {
            status = try await http("GET", b.origin + "/pairing/v2/claim/\(key)").status
            if status == 200 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(status == 200)
    }

    @Test func storeURLAndNodeURLAreValidated() {
        #expect(throws: FleetConfiguration.Error.self) { try FleetConfiguration(storeURL: "mysql://x@h/db", nodeURL: "wss://relay.example") }
        #expect(throws: FleetConfiguration.Error.self) { try FleetConfiguration(storeURL: "postgres://h/db", nodeURL: "wss://relay.example") }
        #expect(throws: FleetConfiguration.Error.self) { try FleetConfiguration(storeURL: "postgres://u@h/db", nodeURL: "ws://relay.example") }
        #expect(throws: FleetConfiguration.Error.self) { try FleetConfiguration(storeURL: "postgres://u@h/db", nodeURL: "https://relay.example") }
        let ok = try? FleetConfiguration(storeURL: "postgres://relay:pw@db.example:6432/fleet", nodeURL: "wss://a.relay.example:8443")
        #expect(ok?.nodeURL == "wss://a.relay.example:8443")
        #expect(ok?.database.port == 6432 && ok?.database.password == "pw" && ok?.database.tls == .prefer)
        let socket = try? FleetConfiguration(storeURL: "postgres://relay@localhost/fleet?host=/run/postgresql", nodeURL: "ws://127.0.0.1:9000")
        #expect(socket?.database.socketPath == "/run/postgresql/.s.PGSQL.5432")
    }
}
