import Testing
@testable import MydiaDiscovery

@Suite struct MydiaDiscoveryPlaceholderTests {
    @Test func moduleLinks() { _ = MydiaDiscoveryModule.self }
}
