import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import MydiaCrypto
import MydiaRelay
import MydiaServer
import MydiaTestSupport
import MydiaTransport
import MydiaWire
import WSCore
import Testing

/// The client's side of `moved` (PROTOCOL.md §15): follow at most one per connect, only to
/// `wss://` or loopback, and pin the instance key at the node it lands on.
@Suite struct FleetMoveTests {
    /// A fake node that answers every `connect` with `moved` to `target`.
    static func mover(to target: @escaping @Sendable () -> String) async throws -> FakeRelay {
        try await FakeRelay.start { inbound, outbound in
            var (_, messages) = try await FakeRelay.awaitConnect(inbound)
            try await outbound.write(.text(RelayMoved.jsonText(relayURL: target())))
            while try await messages.next() != nil {}
        }
    }

    @Test func oneMoveIsFollowedAndTheKeyIsStillPinnedThere() async throws {
        let key = X25519KeyPair.generate().publicKey
        let other = X25519KeyPair.generate().publicKey
        // The node moved to presents another key: the client refuses it as it would anywhere.
        let liar = try await FakeRelay.start { inbound, outbound in
            var (id, messages) = try await FakeRelay.awaitConnect(inbound)
            try await outbound.write(.text(RelayMessage.connected(.init(sessionID: UUID().uuidString.lowercased(), instanceID: id, publicKey: other)).jsonText))
            while try await messages.next() != nil {}
        }
        defer { liar.stop() }
        let liarURL = "ws://127.0.0.1:\(liar.origin.port)"
        let first = try await Self.mover { liarURL }
        defer { first.stop() }
        await #expect(throws: RelayConnection.Error.instanceKeyMismatch) {
            _ = try await RelayConnection.connect(origin: first.origin, instanceID: UUID().uuidString.lowercased(), pinnedInstanceKey: key)
        }
    }

    @Test func aSecondMoveIsRefused() async throws {
        let second = Box<String>("")
        let b = try await Self.mover { second.withLock { $0 } }
        defer { b.stop() }
        let a = try await Self.mover { "ws://127.0.0.1:\(b.origin.port)" }
        defer { a.stop() }
        second.withLock { $0 = "ws://127.0.0.1:\(a.origin.port)" }
        let error = await #expect(throws: RelayConnection.Error.self) {
            _ = try await RelayConnection.connect(origin: a.origin, instanceID: UUID().uuidString.lowercased(), pinnedInstanceKey: [UInt8](repeating: 7, count: 32))
        }
        guard case .movedRefused? = error else { Issue.record("expected movedRefused, got \(String(describing: error))"); return }
    }

    @Test func aMoveToPlaintextOffLoopbackOrToHTTPSIsRefused() async throws {
        for target in ["ws://relay.example:8080", "https://relay.example", "wss://relay.example/elsewhere", ""] {
            let node = try await Self.mover { target }
            defer { node.stop() }
            let error = await #expect(throws: RelayConnection.Error.self) {
                _ = try await RelayConnection.connect(origin: node.origin, instanceID: UUID().uuidString.lowercased(), pinnedInstanceKey: [UInt8](repeating: 7, count: 32))
            }
            guard case .movedRefused? = error else { Issue.record("\(target): expected movedRefused, got \(String(describing: error))"); continue }
        }
    }
}

/// A real fleet: two relay nodes on one PostgreSQL, the real server registered on node A, the
/// client given node B: finds the claim through B, is moved to A, and completes the Noise
/// handshake with the instance there.
@Suite(.serialized, .enabled(if: TestPostgres.isInstalled, Comment(rawValue: TestPostgres.skipReason)))
struct FleetPairingTests {
    @Test func clientGivenAnotherNodeFindsTheClaimIsMovedAndPairs() async throws {
        let db = try await TestPostgres.start()
        defer { db.shutdown() }
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        var nodes: [(RelayServer, Task<Void, any Error>, RelayOrigin)] = []
        for _ in 0..<2 {
            let port = try TestPostgres.freePort()
            let fleet = try FleetConfiguration(storeURL: db.url, nodeURL: "ws://127.0.0.1:\(port)", poolSize: 4)
            let relay = try RelayServer(configuration: .init(host: "127.0.0.1", port: port, logger: quiet, fleet: fleet))
            let task = Task { try await relay.run() }
            _ = try await withTimeout(.seconds(10)) { try await relay.port() }
            try await withTimeout(.seconds(15)) { while !relay.isStoreReady { try await Task.sleep(for: .milliseconds(50)) } }
            nodes.append((relay, task, try RelayOrigin("http://127.0.0.1:\(port)")))
        }
        defer { for node in nodes { node.1.cancel() } }
        let (a, b) = (nodes[0].2, nodes[1].2)

        var config = ServerConfiguration(relay: a, libraryPath: try ServerStack.sampleLibrary(),
                                         stateDirectory: NSTemporaryDirectory() + "mydia-fleet-\(UUID().uuidString)", logger: quiet)
        config.directHost = "127.0.0.1"
        config.instanceName = "Fleet Test"
        let host = try await ServerHost(configuration: config)
        let hostTask = Task { try await host.run() }
        defer { hostTask.cancel() }
        try await withTimeout(.seconds(15)) { await host.link.waitUntilRegistered() }

        // The claim was published through A; the client, given B, finds it there.
        let claim = try await host.issueClaim()
        let keys = SealedClaim.Keys(code: try ClaimCode(claim.code.value))
        let (data, response) = try await URLSession.shared.data(from: URL(string: b.claimURL(lookupHex: keys.lookupHex))!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        let sealed = try JSONDecoder().decode(ClaimLookupResponse.self, from: data).sealed
        let payload = try ClaimPayload(decoding: try SealedClaim.open(sealed, keys: keys))
        #expect(payload.instanceID == host.identity.instanceID)

        // B answers `moved` to A; the connection lands on A with the pinned key.
        let connection = try await RelayConnection.connect(origin: b, instanceID: payload.instanceID, pinnedInstanceKey: payload.publicKey)
        let session = try await TunnelSession.establish(
            relay: connection, clientKey: X25519KeyPair.generate(),
            request: .pair(claimCode: claim.code.value, deviceName: "fleet tests", platform: "linux", clientVersion: "0.1.0",
                           timestamp: Int64(Date().timeIntervalSince1970)))
        #expect(session.grant.deviceToken?.hasPrefix(session.grant.deviceID + ".") == true)
        #expect(session.grant.certFingerprint == host.identity.fingerprint.hex)
        await session.close()
    }
}
