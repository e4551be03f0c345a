import MydiaConnection
import Testing

@Suite struct ConnectionStateTests {
    @Test func stateNames() { #expect(ConnectionState.allCases.map(\.rawValue) == ["connecting", "relay", "dual", "direct", "offline"]) }
}
