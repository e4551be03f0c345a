import MydiaLibrary
import Testing

@Suite struct LibraryItemKindTests {
    @Test func wireNames() { #expect(LibraryItemKind.allCases.map(\.rawValue) == ["movie", "show", "episode"]) }
}
