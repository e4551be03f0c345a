import Foundation
import MydiaAPI
import MydiaClient
import MydiaCrypto
import Testing
@testable import MydiaDiscovery

@Suite struct DiscoveryOptionsTests {
    @Test func environmentTurnsBrowsingOffOrPicksInterfaces() {
        #expect(DiscoveryOptions.fromEnvironment([:]).enabled && DiscoveryOptions.fromEnvironment([:]).interfaces == nil)
        #expect(DiscoveryOptions.fromEnvironment(["MYDIA_DISCOVERY": "auto"]).interfaces == nil)
        #expect(!DiscoveryOptions.fromEnvironment(["MYDIA_DISCOVERY": "off"]).enabled)
        let lo = DiscoveryOptions.fromEnvironment(["MYDIA_DISCOVERY": "lo,no-such-if0"])
        #expect(lo.enabled && lo.interfaces == MDNSInterface.loopback().map { [$0] })
    }

    @Test func serverModesParseFromTheirNamesOnly() {
        #expect(DiscoveryMode(rawValue: "private") == .private && DiscoveryMode(rawValue: "enabled") == .enabled)
        #expect(DiscoveryMode(rawValue: "on") == nil)
        #expect(DiscoveryMode.allCases.map(\.rawValue) == ["enabled", "private", "disabled"])
    }
}
