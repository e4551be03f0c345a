import Testing
@testable import MydiaTUI

@Suite struct GraphicsCapabilityTests {
    @Test func environmentNamesTheModeWhereItCan() {
        #expect(GraphicsCapability.fromEnvironment(["TERM": "xterm-kitty"]) == .kitty)
        #expect(GraphicsCapability.fromEnvironment(["TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"]) == .kitty)
        #expect(GraphicsCapability.fromEnvironment(["TERM": "foot"]) == .sixel)
        #expect(GraphicsCapability.fromEnvironment(["TERM": "xterm-256color", "TERM_PROGRAM": "iTerm.app"]) == .sixel)
        // Inside tmux pictures would land in the wrong place: symbols, even in kitty.
        #expect(GraphicsCapability.fromEnvironment(["TERM": "tmux-256color", "KITTY_WINDOW_ID": "1"]) == .symbols)
        #expect(GraphicsCapability.fromEnvironment(["TERM": "xterm-256color", "TMUX": "/tmp/x,1,0"]) == .symbols)
        #expect(GraphicsCapability.fromEnvironment(["TERM": "xterm-256color", "NO_COLOR": "1"]) == .off)
        #expect(GraphicsCapability.fromEnvironment(["TERM": "dumb"]) == .off)
        #expect(GraphicsCapability.fromEnvironment(["TERM": "xterm-256color"]) == nil)  // ask the terminal
    }

    @Test func repliesToTheQueryDecide() {
        let esc = "\u{1B}"
        #expect(GraphicsCapability.fromReplies(Array("\(esc)_Gi=31;OK\(esc)\\\(esc)[?62;22c".utf8)) == .kitty)
        #expect(GraphicsCapability.fromReplies(Array("\(esc)[?63;1;2;4;6;9;15;22c".utf8)) == .sixel)
        #expect(GraphicsCapability.fromReplies(Array("\(esc)[?62;22c".utf8)) == .symbols)
        #expect(GraphicsCapability.fromReplies(Array("\(esc)[?62;2".utf8)) == nil)  // not whole yet
        #expect(GraphicsCapability.fromReplies([]) == nil)
    }

    @Test func settingWinsAndAutoAsksOnlyWhenNeeded() {
        var asked = 0
        let sixel = { () -> [UInt8] in asked += 1; return Array("\u{1B}[?62;4c".utf8) }
        #expect(GraphicsCapability.resolve(.symbols, environment: ["TERM": "xterm-kitty"], ask: sixel) == .symbols)
        #expect(GraphicsCapability.resolve(.off, environment: [:], ask: sixel) == .off)
        #expect(GraphicsCapability.resolve(.auto, environment: ["TERM": "xterm-kitty"], ask: sixel) == .kitty)
        #expect(asked == 0)
        #expect(GraphicsCapability.resolve(.auto, environment: ["TERM": "xterm-256color"], ask: sixel) == .sixel)
        #expect(GraphicsCapability.resolve(.auto, environment: ["TERM": "xterm-256color"], ask: { [] }) == .symbols)
        #expect(asked == 1)
    }

    @Test func configReadsTheUITable() throws {
        let config = try TUIConfig.parse("[ui]\nimages = \"sixel\"\nimage_cache_mb = 50\n")
        #expect(config.images == .sixel && config.imageCacheMB == 50)
        #expect(TUIConfig().images == .auto && TUIConfig().imageCacheMB == 200)
        #expect(throws: TUIConfig.Error.self) { try TUIConfig.parse("[ui]\nimages = \"ascii\"\n") }
        #expect(throws: TUIConfig.Error.self) { try TUIConfig.parse("[ui]\nimage_cache_mb = -1\n") }
        #expect(throws: TUIConfig.Error.self) { try TUIConfig.parse("[ui]\nposters = true\n") }
    }
}
