import Foundation
import Testing
import TOMLKit
@testable import MydiaTUI

/// config.toml is TOML 1.0 (TOMLKit): values as TOML defines them, every TOML form the settings
/// can be written in, and syntax errors that name their line and column.
@Suite struct ConfigDocumentTests {
    @Test func tomlValues() throws {
        let t = try ConfigDocument.parse("a = 1_000\nb = true\nc = \"x\\ty\"\n[t]\nd = []\n\"e f\" = 'lit\\n'")
        #expect(t["a"]?.int == 1000 && t["b"]?.bool == true && t["c"]?.string == "x\ty")
        #expect(t["t"]?["d"]?.strings == [] && t["t"]?["e f"]?.string == "lit\\n")
        #expect(throws: ConfigDocument.SyntaxError.self) { try ConfigDocument.parse("a = 1\na = 2") }
        #expect(throws: ConfigDocument.SyntaxError.self) { try ConfigDocument.parse("[t]\n[t]") }
    }

    /// The hand-written subset had none of these: inline tables, dotted keys, multi-line strings
    /// and arrays over several lines with comments in them.
    @Test func settingsMayUseInlineTablesDottedKeysAndMultiLineValues() throws {
        let config = try TUIConfig.parse("""
            theme = \"\"\"
            light\"\"\"
            keys = { quit = "Q", down = ["n", "Down"] }
            player.mpv_args = [
                "--fs",          # full screen
                '--volume=70',
            ]
            player.autoplay_seconds = 0
            """)
        #expect(config.theme.name == "light")
        #expect(config.keyMap.action(for: .character("Q")) == .quit)
        #expect(config.keyMap.action(for: .character("n")) == .down)
        #expect(config.mpvArguments == ["--fs", "--volume=70"])
        #expect(config.autoplaySeconds == 0)
    }

    @Test func aSyntaxErrorNamesItsLineAndColumn() throws {
        let text = "theme = \"dark\"\n\n[player]\nautoplay_seconds = 1O\n"
        let error = try #require(throws: ConfigDocument.SyntaxError.self) { try ConfigDocument.parse(text) }
        #expect(error.line == 4 && error.column == 21)
        #expect(error.description == "Line 4, column 21 of the config file is not valid TOML: expected digit, saw 'O' (in decimal integer).")

        // What the user sees at start: the file, then the line.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("config.toml")
        try Data(text.utf8).write(to: file)
        let loadError = try #require(throws: TUIConfig.Error.self) { try TUIConfig.load(directory: directory) }
        #expect("\(loadError)".hasPrefix("\(file.path): Line 4, column 21 of the config file"))
    }

    @Test func aNULCharacterIsAnErrorAtItsPlace() throws {
        let error = try #require(throws: ConfigDocument.SyntaxError.self) { try ConfigDocument.parse("a = 1\nb = \"x\u{0}\"") }
        #expect(error.line == 2 && error.column == 7)
    }

    @Test func settingsOfTheWrongTypeAreRefusedWithASentence() {
        #expect(message { try TUIConfig.parse("theme = 1") }.contains("theme must be a quoted name"))
        #expect(message { try TUIConfig.parse("[player]\nmpv_args = [\"--fs\", 2]") }.contains("player.mpv_args must be a list"))
        #expect(message { try TUIConfig.parse("[player]\nautoplay_seconds = 10.0") }.contains("whole number of seconds"))
        #expect(message { try TUIConfig.parse("[keys.more]\nquit = \"Q\"") }.contains("keys.more must be a key name"))
        #expect(message { try TUIConfig.parse("volume = 3") }.contains("the setting volume is not known"))
    }

    private func message(_ body: () throws -> TUIConfig) -> String {
        do { _ = try body(); return "no error" } catch { return "\(error)" }
    }
}
