import Foundation
import MydiaCrypto
import MydiaServer
import MydiaTestSupport
import MydiaTransport
import MydiaWire
import Testing

/// The client socket of PROTOCOL.md §2.2 against the real relay and server.
@Suite(.serialized) struct RelayConnectionTests {
    @Test func pairingThroughTheRelayGrantsADeviceAndShowsTheCheck() async throws {
        let f = try await TransportFixture.get()
        #expect(f.pairing.deviceToken?.hasPrefix(f.pairing.deviceID + ".") == true)
        #expect(f.pairing.certFingerprint == f.host.identity.fingerprint.hex)
        #expect(f.pairing.instanceName == "Transport Test")
        #expect(f.pairingCheck?.count == 6 && f.pairingCheck?.allSatisfy(\.isNumber) == true)
    }

    @Test func connectedCarriesAFreshSessionForThePinnedInstance() async throws {
        let f = try await TransportFixture.get()
        let a = try await RelayConnection.connect(origin: f.origin, instanceID: f.instanceID, pinnedInstanceKey: f.instanceKey)
        let b = try await RelayConnection.connect(origin: f.origin, instanceID: f.instanceID, pinnedInstanceKey: f.instanceKey)
        defer { a.close(); b.close() }
        #expect(a.sessionID != b.sessionID && a.sessionID.count == 36)
        #expect(a.instanceID == f.instanceID && a.instanceKey == f.instanceKey && a.endReason == nil)
    }

    @Test func aWrongPinnedInstanceKeyIsRefusedBeforeAnyHandshake() async throws {
        let f = try await TransportFixture.get()
        var wrong = f.instanceKey
        wrong[31] ^= 0x01
        await #expect(throws: RelayConnection.Error.instanceKeyMismatch) {
            _ = try await RelayConnection.connect(origin: f.origin, instanceID: f.instanceID, pinnedInstanceKey: wrong)
        }
        await #expect(throws: RelayConnection.Error.invalidPinnedKey) {
            _ = try await RelayConnection.connect(origin: f.origin, instanceID: f.instanceID, pinnedInstanceKey: Array(f.instanceKey.prefix(31)))
        }
    }

    @Test func anUnknownInstanceIsATypedErrorWithOneSentence() async throws {
        let f = try await TransportFixture.get()
        let error = await #expect(throws: RelayConnection.Error.instanceNotFound) {
            _ = try await RelayConnection.connect(origin: f.origin, instanceID: UUID().uuidString.lowercased(), pinnedInstanceKey: f.instanceKey)
        }
        #expect(error?.description.contains("does not know this server") == true)
    }

    @Test func heartbeatsKeepTheSessionAliveWhenTheRelayAnswers() async throws {
        let f = try await TransportFixture.get()
        let config = RelayConnection.Configuration(heartbeatInterval: .milliseconds(100), pongTimeout: .milliseconds(1000))
        let relay = try await RelayConnection.connect(origin: f.origin, instanceID: f.instanceID, pinnedInstanceKey: f.instanceKey, configuration: config)
        // Several heartbeat rounds; a missing pong would end the session with `.pathLost`.
        let deadline = ContinuousClock.now + .milliseconds(1500)
        while ContinuousClock.now < deadline && relay.endReason == nil { try await Task.sleep(for: .milliseconds(20)) }
        #expect(relay.endReason == nil, "\(String(describing: relay.endReason))")
        relay.close()
        #expect(relay.endReason == .closedLocally)
    }

    @Test func anUnreachableRelayFailsClearly() async throws {
        // A port nothing listens on: bind and release one.
        let origin = try RelayOrigin("ws://127.0.0.1:1")
        await #expect(throws: RelayConnection.Error.self) {
            _ = try await RelayConnection.connect(origin: origin, instanceID: UUID().uuidString.lowercased(), pinnedInstanceKey: [UInt8](repeating: 1, count: 32))
        }
    }
}
