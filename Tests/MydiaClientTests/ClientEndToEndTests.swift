import Foundation
import Logging
import MydiaAPI
import MydiaClient
import MydiaConnection
import MydiaCrypto
import MydiaServer
import MydiaTestSupport
import MydiaWire
import Testing

/// The assembled client against a real relay and server: pair with a code, browse over the relay,
/// then watch the ConnectionManager promote to the pinned direct path while requests keep working.
@Suite(.serialized) struct ClientEndToEndTests {
    func store() throws -> CredentialStore {
        try CredentialStore(directory: URL(fileURLWithPath: NSTemporaryDirectory() + "mydia-client-\(UUID().uuidString)"))
    }

    var quiet: Logger {
        var l = Logger(label: "test")
        l.logLevel = .critical
        return l
    }

    @Test func pairsThenBrowsesOverTheRelayAndPromotesToDirect() async throws {
        let stack = try await ServerStack.start()
        defer { Task { await stack.stop() } }
        let store = try store()
        let claim = try await stack.host.issueClaim()
        let checks = Box<[String]>([])
        let paired = try await Pairing.pair(code: "\(claim.code)", relay: stack.relayOrigin, deviceName: "e2e laptop", store: store,
                                            logger: quiet, progress: { if case .pairingCheck(let c) = $0 { checks.withLock { $0.append(c) } } })
        #expect(paired.instanceName == "Test Wohnzimmer" && paired.instanceID == stack.instanceID)
        #expect(checks.withLock { $0.count } == 1)
        #expect(try await store.select(nil).deviceID == paired.deviceID)

        let session = try await ClientSession.open(store: store, selection: "test", logger: quiet)
        defer { Task { await session.close() } }
        let movies = try await session.api.movies(first: 2)
        #expect(movies.totalCount == 3)

        // The direct listener answers the probe with the pinned certificate: relay → dual → direct.
        var state = await session.manager.currentState
        let deadline = ContinuousClock.now + .seconds(20)
        while state != .direct, ContinuousClock.now < deadline {
            _ = try await session.api.movies(first: 1)  // requests keep flowing during the swap
            try await Task.sleep(for: .milliseconds(100))
            state = await session.manager.currentState
        }
        #expect(state == .direct)
        let onDirect = try await session.api.search("東京")
        #expect(onDirect.totalCount >= 1)
    }

    @Test func aWrongOrUsedCodeIsRefusedAndNothingIsStored() async throws {
        let stack = try await ServerStack.start()
        defer { Task { await stack.stop() } }
        let store = try store()
        await #expect(throws: ClientError.self) {
            try await Pairing.pair(code: "000000", relay: stack.relayOrigin, deviceName: "x", store: store, logger: quiet)
        }
        let claim = try await stack.host.issueClaim()
        _ = try await Pairing.pair(code: claim.code.value, relay: stack.relayOrigin, deviceName: "first", store: try self.store(), logger: quiet)
        // The used claim is gone from the relay: a second device cannot even look it up.
        await #expect(throws: ClientError.self) {
            try await Pairing.pair(code: claim.code.value, relay: stack.relayOrigin, deviceName: "second", store: store, logger: quiet)
        }
        #expect(await store.all.isEmpty)
    }
}
