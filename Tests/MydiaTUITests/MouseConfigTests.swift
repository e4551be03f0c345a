import Testing
@testable import MydiaTUI

/// `[ui] mouse` in config.toml.
@Suite struct MouseConfigTests {
    @Test func mouseIsOnByDefaultAndOffWithUIMouseFalse() throws {
        #expect(try TUIConfig.parse("").mouse)
        #expect(try !TUIConfig.parse("[ui]\nmouse = false\n").mouse)
        #expect(try TUIConfig.parse("[ui]\nmouse = true\n").mouse)
    }

    @Test func aMouseSettingThatIsNotABooleanIsRefused() {
        #expect(throws: TUIConfig.Error.self) { try TUIConfig.parse("[ui]\nmouse = \"no\"\n") }
    }
}
