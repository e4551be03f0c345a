import Foundation
import MydiaServer
import MydiaCrypto
import MydiaTestSupport
import Testing
@testable import MydiaTUI

/// Posters end to end: the real `mydia-tui` in tmux, paired with a real server (in this process)
/// whose sample movies have no sidecar poster, so the server takes an ffmpeg frame; the client
/// fetches it over the tunnel with its bearer, decodes it with libjpeg-turbo and draws it with
/// libchafa in `symbols` mode — block characters in 256 colours in the detail pane.
@Suite(.serialized, .enabled(if: Tmux.available)) struct TmuxPosterTests {
    /// Block Elements (U+2580–U+259F) at display column `column` and beyond in `screen` (CJK
    /// titles take two columns per character).
    static func blocks(_ screen: String, from column: Int) -> Int {
        var count = 0
        for line in screen.split(separator: "\n", omittingEmptySubsequences: false) {
            var at = 0
            for c in line {
                if at >= column, c.unicodeScalars.allSatisfy({ (0x2580...0x259F).contains($0.value) }) { count += 1 }
                at += DisplayWidth.of(String(c))
            }
        }
        return count
    }

    @Test func aPosterDrawnWithSymbolsAppearsInTheDetailPane() async throws {
        setlocale(LC_ALL, "C.UTF-8")
        let stack = try await ServerStack.start()
        let workspace = try TUIWorkspace("tmux-poster")
        let work = workspace.path
        let tmux = Tmux()
        defer {
            tmux.kill()
            workspace.remove()
        }
        var env = workspace.environment
        env["MYDIA_DISCOVERY"] = "off"
        try "[ui]\nimages = \"symbols\"\n".write(toFile: work + "/config/config.toml", atomically: true, encoding: .utf8)
        let code = try await stack.host.issueClaim().code.value

        try tmux.start(["--relay", stack.relayOrigin, "--name", "poster test"], environment: env)
        try await tmux.waitFor("Pair with your server")
        try tmux.literal(code)
        try tmux.keys("Enter")
        try await tmux.waitFor("Recently added")
        try tmux.keys("2")
        // The list takes 55 of 100 columns; the pane's text starts 3 further in.
        let screen = try await tmux.waitFor("the poster as block characters in the detail pane", timeout: .seconds(60)) {
            $0.contains("Big Test Pattern") && Self.blocks($0, from: 58) >= 30
        }
        #expect(Self.blocks(screen, from: 0) == Self.blocks(screen, from: 58), "\(screen)")  // none in the list
        // In colour: 256-colour escapes on the poster's rows.
        let coloured = try tmux.capture(escapes: true)
        #expect(coloured.contains("38;5;") || coloured.contains("48;5;"))
        // The title above it and the facts below it stay readable.
        #expect(screen.contains("│ Big Test Pattern") || screen.contains("│ Amélie") || screen.contains("│ 東京物語"))

        // Down a row: that movie's poster replaces it (fetched the same way), still in the pane.
        try tmux.keys("j")
        try await tmux.waitFor("the next movie's poster") { Self.blocks($0, from: 58) >= 30 && $0.contains("▸") }

        // The poster came through the disk cache: files there, 0600.
        let files = try FileManager.default.contentsOfDirectory(atPath: work + "/cache/artwork").filter { $0.hasSuffix(".img") }
        #expect(files.count >= 1)
        for file in files {
            #expect(try FileManager.default.attributesOfItem(atPath: work + "/cache/artwork/" + file)[.posixPermissions] as? Int == 0o600)
        }
        try tmux.keys("q")
        await stack.stop()
    }
}
