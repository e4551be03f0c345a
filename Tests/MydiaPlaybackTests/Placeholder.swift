import Testing
@testable import MydiaPlayback

@Suite struct MydiaPlaybackPlaceholderTests {
    @Test func moduleLinks() { _ = MydiaPlaybackModule.self }
}
