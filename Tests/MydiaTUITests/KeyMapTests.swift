import Testing
@testable import MydiaTUI

/// Keys: vim and arrows by default, remappable from config.toml, conflicts refused with a sentence.
@Suite struct KeyMapTests {
    @Test func defaultsHaveVimKeysAndArrows() {
        let k = KeyMap.standard
        #expect(k.action(for: .character("j")) == .down && k.action(for: .down) == .down)
        #expect(k.action(for: .character("k")) == .up && k.action(for: .up) == .up)
        #expect(k.action(for: .enter) == .open && k.action(for: .character("/")) == .search)
        #expect(k.action(for: .character("q")) == .quit && k.action(for: .character("?")) == .help)
        #expect(k.action(for: .character("c")) == .connection && k.action(for: .character("r")) == .reprobe)
    }

    @Test func anOverrideReplacesTheActionsDefaults() throws {
        let k = try KeyMap(overrides: ["down": ["n", "Down"], "quit": ["Ctrl-x"]])
        #expect(k.action(for: .character("n")) == .down)
        #expect(k.action(for: .character("j")) == nil)
        #expect(k.action(for: .control("x")) == .quit && k.action(for: .character("q")) == nil)
        #expect(k.keys(.down) == "n/Down")
    }

    @Test func aKeyBoundTwiceIsAConflict() {
        #expect(throws: KeyMap.Error.conflict(key: "k", first: .up, second: .quit)) { try KeyMap(overrides: ["quit": ["k"]]) }
        let sentence = KeyMap.Error.conflict(key: "k", first: .up, second: .quit).description
        #expect(sentence.contains("bound to both up and quit"))
    }

    @Test func unknownNamesAreErrors() {
        #expect(throws: KeyMap.Error.unknownAction("jump")) { try KeyMap(overrides: ["jump": ["J"]]) }
        #expect(throws: KeyMap.Error.unknownKey(action: "down", key: "Hyper-j")) { try KeyMap(overrides: ["down": ["Hyper-j"]]) }
        #expect(throws: KeyMap.Error.unbound(.down)) { try KeyMap(overrides: ["down": []]) }
    }

    @Test func keyNamesRoundTrip() {
        for key: Key in [.character("j"), .character(" "), .control("d"), .up, .pageDown, .escape, .function(5), .backTab, .enter] {
            #expect(Key(name: key.name) == key, "\(key.name)")
        }
        #expect(Key(name: "C-d") == .control("d") && Key(name: "^d") == .control("d"))
    }

    @Test func configFileSetsThemeAndKeys() throws {
        let config = try TUIConfig.parse("""
        # my settings
        theme = "light"

        [keys]
        down = ["n", "Down"]   # arrows too
        quit = 'Q'
        """)
        #expect(config.theme.name == "light")
        #expect(config.keyMap.action(for: .character("Q")) == .quit)
        #expect(config.keyMap.action(for: .character("n")) == .down)
    }

    @Test func configErrorsNameTheLineOrTheProblem() {
        #expect(throws: TUIConfig.Error.self) { try TUIConfig.parse("theme = dark") }
        #expect(message { try TUIConfig.parse("\n[keys]\nquit = [\"q\", \n") }.contains("Line 3"))
        #expect(message { try TUIConfig.parse("[keys]\nquit = \"k\"") }.contains("bound to both up and quit"))
        #expect(message { try TUIConfig.parse("theme = \"neon\"") }.contains("no theme \"neon\""))
        #expect(message { try TUIConfig.parse("[colours]\n") }.contains("[colours]"))
    }

    private func message(_ body: () throws -> TUIConfig) -> String {
        do { _ = try body(); return "no error" } catch { return "\(error)" }
    }
}
