import MydiaConnection
import MydiaAPI
import Testing

@Suite struct MediaKindTests {
    @Test func wireNames() { #expect(MediaKind.allCases.map(\.rawValue) == ["movie", "show", "episode"]) }
}
