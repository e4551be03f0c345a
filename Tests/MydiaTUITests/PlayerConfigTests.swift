import MydiaPlayback
import Testing
@testable import MydiaTUI

/// `[player] subtitle_language` (PROTOCOL.md §14.2.6): the subtitle language mpv selects when
/// `play --sub` does not say, as an ISO 639-1 or 639-2 code.
@Suite struct PlayerConfigTests {
    @Test func theSubtitleLanguageIsAnISOCodeKeptAsTheServerLabelsTracks() throws {
        #expect(try TUIConfig.parse("").subtitleLanguage == nil)
        #expect(try TUIConfig.parse("[player]\nsubtitle_language = \"en\"").subtitleLanguage?.code == "eng")
        #expect(try TUIConfig.parse("[player]\nsubtitle_language = \"deu\"").subtitleLanguage?.code == "ger")
        for bad in ["\"english\"", "\"\"", "3", "[\"en\"]"] {
            let message: String
            do { _ = try TUIConfig.parse("[player]\nsubtitle_language = \(bad)"); message = "no error" } catch { message = "\(error)" }
            #expect(message.contains("player.subtitle_language must be a language code"), "\(bad): \(message)")
        }
    }
}
