import MydiaTransport
import Testing

@Suite struct TransportPathTests {
    @Test func pathNames() { #expect(TransportPath.allCases.map(\.rawValue) == ["relay", "direct"]) }
}
