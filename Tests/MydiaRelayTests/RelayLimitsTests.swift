import MydiaRelay
import Testing

@Suite struct RelayLimitsTests {
    @Test func defaultsFollowTheSpec() {
        let limits = RelayLimits()
        #expect(limits.maxClientBinary == 65_563 && limits.maxInstanceBinary == 65_599 && limits.maxText == 4096)
    }
}
