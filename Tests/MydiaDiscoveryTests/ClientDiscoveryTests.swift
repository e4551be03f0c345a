import Foundation
import Logging
import MydiaAPI
import MydiaClient
import MydiaConnection
import MydiaCrypto
import MydiaServer
import MydiaTestSupport
import Testing
@testable import MydiaDiscovery

/// The assembled client and real servers on loopback multicast: a LAN-discovered address takes the
/// client direct when its paired URLs are stale, and an address that presents another certificate
/// is never used, however it was discovered (PROTOCOL.md §9).
@Suite(.serialized, .enabled(if: LoopbackMulticast.available, LoopbackMulticast.skipReason))
struct ClientDiscoveryTests {
    let lo = LoopbackMulticast.interface!
    /// Port 9 (discard) on loopback: nothing listens, so the paired URL is stale.
    static let staleURL = "https://127.0.0.1:9"

    func pairedStore(_ stack: ServerStack) async throws -> CredentialStore {
        let store = try CredentialStore(directory: URL(fileURLWithPath: NSTemporaryDirectory() + "mydia-disc-\(UUID().uuidString)"))
        let claim = try await stack.host.issueClaim()
        _ = try await Pairing.pair(code: claim.code.value, relay: stack.relayOrigin, deviceName: "lan laptop", store: store,
                                   logger: LoopbackMulticast.quiet)
        return store
    }

    @Test func aPrivateAdvertisementTakesTheClientDirectDespiteStaleURLs() async throws {
        let stack = try await ServerStack.start { config in
            config.extraDirectURLs = [Self.staleURL]
            config.discovery = .private
            config.discoveryInterfaceNames = [lo.name]
        }
        defer { Task { await stack.stop() } }
        let store = try await pairedStore(stack)
        #expect(try await store.select(nil).directURLs == [Self.staleURL])

        let session = try await ClientSession.open(store: store, selection: nil, discovery: DiscoveryOptions(interfaces: [lo]),
                                                   logger: LoopbackMulticast.quiet)
        defer { Task { await session.close() } }
        let snapshot = try await withTimeout(.seconds(30)) {
            for await s in await session.manager.snapshots() where s.state == .direct { return s }
            throw TimeoutError()
        }
        let direct = try #require(snapshot.directURL)
        #expect(direct.absoluteString != Self.staleURL && direct.host == "127.0.0.1")
        #expect(snapshot.candidates.first { $0.url == direct }?.discovered == true)
        #expect(try await session.api.movies(first: 1).totalCount == 3)
    }

    @Test func aDiscoveredAddressWithAnotherCertificateIsNeverUsed() async throws {
        let paired = try await ServerStack.start { $0.extraDirectURLs = [Self.staleURL] }
        defer { Task { await paired.stop() } }
        let store = try await pairedStore(paired)
        // A real server with its own certificate, advertised on the LAN under the paired instance's id.
        let impostor = try await ServerStack.start()
        defer { Task { await impostor.stop() } }
        let impostorURL = try #require(await impostor.host.currentDirectURLs().first.flatMap(URL.init(string:)))
        let schedule = AdvertisementSchedule(mode: .enabled, instanceID: paired.instanceID, instanceName: "Test Wohnzimmer",
                                             discoveryKey: .random(count: 32), port: UInt16(impostorURL.port!))
        let responder = MDNSResponder(configuration: .init(interfaces: [lo]), schedule: schedule, logger: LoopbackMulticast.quiet)
        let advertising = Task { try await responder.run() }
        defer { advertising.cancel() }

        let session = try await ClientSession.open(store: store, selection: nil, discovery: DiscoveryOptions(interfaces: [lo]),
                                                   logger: LoopbackMulticast.quiet)
        defer { Task { await session.close() } }
        // Probed, refused on the pin (after a fresh handshake confirmed the pin, §12.21) and held off.
        let heldOff = try await withTimeout(.seconds(40)) {
            for await s in await session.manager.snapshots() {
                #expect(s.directURL != impostorURL && s.state != .direct && s.state != .dual)
                if let c = s.candidates.first(where: { $0.url == impostorURL }), c.heldOffUntil != nil { return c }
            }
            throw TimeoutError()
        }
        #expect(heldOff.discovered)
        guard case .pinMismatch? = heldOff.lastResult else {
            Issue.record("expected a pin mismatch, got \(String(describing: heldOff.lastResult))")
            return
        }
        // Requests keep working over the relay.
        #expect(try await session.api.movies(first: 1).totalCount == 3)
        #expect(await session.manager.snapshot().directURL == nil)
    }
}
