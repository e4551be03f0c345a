import Foundation
import MydiaCrypto
import MydiaTestSupport
import Synchronization
import Testing
@testable import MydiaDiscovery

/// Real advertise and browse over IP multicast on the loopback interface (port 5353).
@Suite(.serialized, .enabled(if: LoopbackMulticast.available, LoopbackMulticast.skipReason))
struct LoopbackDiscoveryTests {
    let lo = LoopbackMulticast.interface!

    @Test func browserFindsAPrivateResponderOnlyWithTheKeyAndSeesItsGoodbye() async throws {
        let key = SecretBytes.random(count: 32)
        let id = UUID().uuidString.lowercased()
        let schedule = AdvertisementSchedule(mode: .private, instanceID: id, instanceName: "Secret", discoveryKey: key, port: 18443)
        let responder = MDNSResponder(configuration: .init(interfaces: [lo]), schedule: schedule, logger: LoopbackMulticast.quiet)
        let browser = MDNSBrowser(configuration: .init(interfaces: [lo]), logger: LoopbackMulticast.quiet)
        let browsing = Task { try await browser.run() }
        defer { browsing.cancel() }
        let advertising = Task { try await responder.run() }

        let now = Date()
        let found = try await LoopbackMulticast.wait(browser) { $0.contains { $0.isInstance(id, discoveryKey: key, at: now) } }
        let service = try #require(found.first { $0.isInstance(id, discoveryKey: key, at: now) })
        #expect(service.port == 18443 && service.addresses == ["127.0.0.1"] && service.mode == .private)
        #expect(service.instanceID == nil && service.name == nil)  // nothing to track it by
        #expect(!found.contains { $0.isInstance(id, discoveryKey: SecretBytes.random(count: 32), at: now) })

        // Goodbye (TTL 0) hides the service at once; the records themselves go a second later.
        advertising.cancel()
        _ = await advertising.result
        _ = try await LoopbackMulticast.wait(browser, .seconds(10)) { !$0.contains { $0.isInstance(id, discoveryKey: key, at: now) } }
    }

    @Test func theHourChangesTheTagAndTheOldOneSaysGoodbye() async throws {
        let key = SecretBytes.random(count: 32)
        let clock = Mutex(Date())
        let schedule = AdvertisementSchedule(mode: .private, instanceID: UUID().uuidString, instanceName: "x", discoveryKey: key, port: 18444)
        let responder = MDNSResponder(configuration: .init(interfaces: [lo], checkInterval: .milliseconds(100)), schedule: schedule,
                                      now: { clock.withLock { $0 } }, logger: LoopbackMulticast.quiet)
        let browser = MDNSBrowser(configuration: .init(interfaces: [lo]), logger: LoopbackMulticast.quiet)
        let browsing = Task { try await browser.run() }
        defer { browsing.cancel() }
        let advertising = Task { try await responder.run() }
        defer { advertising.cancel() }

        let start = clock.withLock { $0 }
        let firstTag = PrivateTag.tag(key: key, at: start)
        _ = try await LoopbackMulticast.wait(browser) { $0.contains { $0.instanceLabel == firstTag } }
        clock.withLock { $0 = start + 3600 }
        let nextTag = PrivateTag.tag(key: key, at: start + 3600)
        #expect(nextTag != firstTag)
        let after = try await LoopbackMulticast.wait(browser) { s in
            s.contains { $0.instanceLabel == nextTag } && !s.contains { $0.instanceLabel == firstTag }
        }
        #expect(after.first { $0.instanceLabel == nextTag }?.txt["h"] == nextTag)
    }

    @Test func enabledModeAnnouncesIdAndName() async throws {
        let id = UUID().uuidString.lowercased()
        let schedule = AdvertisementSchedule(mode: .enabled, instanceID: id, instanceName: "Küche\u{7}", discoveryKey: .random(count: 32), port: 18445)
        let responder = MDNSResponder(configuration: .init(interfaces: [lo]), schedule: schedule, logger: LoopbackMulticast.quiet)
        let browser = MDNSBrowser(configuration: .init(interfaces: [lo]), logger: LoopbackMulticast.quiet)
        let browsing = Task { try await browser.run() }
        defer { browsing.cancel() }
        // The browser is already asking when the responder starts: the answer, not the announcement, may find it.
        try await Task.sleep(for: .milliseconds(300))
        let advertising = Task { try await responder.run() }
        defer { advertising.cancel() }
        let found = try await LoopbackMulticast.wait(browser) { $0.contains { $0.instanceID == id } }
        let service = try #require(found.first { $0.instanceID == id })
        #expect(service.name == "Küche" && service.instanceLabel == "Küche" && service.port == 18445 && service.mode == .enabled)
    }

    @Test func disabledModeSendsNothing() async throws {
        let schedule = AdvertisementSchedule(mode: .disabled, instanceID: "x", instanceName: "x", discoveryKey: .random(count: 32), port: 1)
        let responder = MDNSResponder(configuration: .init(interfaces: [lo]), schedule: schedule, logger: LoopbackMulticast.quiet)
        try await withTimeout(.seconds(5)) { try await responder.run() }  // returns at once
        #expect(await responder.advertisement == nil)
    }
}
