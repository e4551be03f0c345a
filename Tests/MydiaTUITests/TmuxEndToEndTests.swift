import Foundation
import MydiaCrypto
import MydiaServer
import MydiaTestSupport
import Testing
@testable import MydiaTUI

/// The real `mydia-tui` binary in a real tmux pane against a real relay and server (in this
/// process): pair with the code on the first-run screen, watch the status bar go RELAY → DIRECT
/// and back to RELAY when the direct listener stops, browse to an episode, resize down to 20×5
/// and back, cut CJK and accented titles by display width, quit with the terminal restored; then
/// a second start from the cache with NO_COLOR=1 has no colour escapes, and SIGTERM restores the
/// terminal too.
///
/// Playing: Enter on the episode plays it in headless mpv through the real proxy; the media path
/// swap under a playing mpv is covered by MydiaPlaybackTests (PlaybackEndToEndTests).
@Suite(.serialized, .enabled(if: Tmux.available)) struct TmuxEndToEndTests {
    static func statusBar(_ screen: String) -> String {
        screen.split(separator: "\n", omittingEmptySubsequences: false).last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map(String.init) ?? ""
    }

    @Test func pairBrowseSwitchPathsResizeAndQuit() async throws {
        setlocale(LC_ALL, "C.UTF-8")
        let stack = try await ServerStack.start()
        let workspace = try TUIWorkspace("tmux")
        let work = workspace.path
        let tmux = Tmux()
        defer {
            tmux.kill()
            workspace.remove()
        }
        let env = workspace.environment
        // Headless mpv (the user's own mpv otherwise) and a long next-episode countdown to watch.
        try "[player]\nmpv_args = [\"--vo=null\", \"--ao=null\"]\nautoplay_seconds = 60\n"
            .write(toFile: work + "/config/config.toml", atomically: true, encoding: .utf8)
        // The direct path is down at first, so the client starts on the relay.
        stack.host.stopDirectListener()
        let code = try await stack.host.issueClaim().code.value

        try tmux.start(["--relay", stack.relayOrigin, "--name", "tmux test"], environment: env)
        try await tmux.waitFor("Pair with your server")
        try tmux.literal(String(code.prefix(3)) + "-" + String(code.suffix(3)))
        try await tmux.waitFor("Code:   \(code.prefix(3)) \(code.suffix(3))")
        try tmux.keys("Enter")
        var screen = try await tmux.waitFor("Recently added")
        screen = try await tmux.waitFor("status bar RELAY") { Self.statusBar($0).contains("RELAY") && Self.statusBar($0).contains("end-to-end encrypted") }

        // The direct listener comes back; `r` probes at once.
        stack.host.restartDirectListener()
        try await Task.sleep(for: .milliseconds(500))
        try tmux.keys("r")
        screen = try await tmux.waitFor("status bar DIRECT") { Self.statusBar($0).contains("DIRECT") }
        #expect(Self.statusBar(screen).contains("direct 127.0.0.1:"))

        // Browse to an episode.
        try tmux.keys("3")
        try await tmux.waitFor("Signal Hour")
        try tmux.keys("Enter")
        try await tmux.waitFor("Season 2")
        try tmux.keys("Enter")
        try await tmux.waitFor("S01E03  Static")
        try tmux.keys("j")
        screen = try await tmux.waitFor("▸ S01E02  Colour Bars")
        #expect(screen.contains("Files"))

        // Enter plays it in (headless) mpv through the local proxy over the direct path; the 2-second
        // clip ends and the next episode is announced with a countdown, which `x` cancels.
        try tmux.keys("Enter")
        screen = try await tmux.waitFor("playing, then the next-episode countdown", timeout: .seconds(60)) {
            $0.contains("Next: S01E03 · Static in")
        }
        try tmux.keys("x")
        try await tmux.waitFor("countdown cancelled") { !$0.contains("Next: S01E03") }

        // The direct listener goes away: back to RELAY, the UI keeps working.
        stack.host.stopDirectListener()
        try tmux.keys("r")
        screen = try await tmux.waitFor("status bar back on RELAY") { Self.statusBar($0).contains("RELAY") }
        try tmux.keys("c")
        screen = try await tmux.waitFor("direct → relay")
        #expect(screen.contains("relay → dual") || screen.contains("→ direct"))
        try tmux.keys("Escape")

        // Down to 20×5 and back without a crash.
        try tmux.resize(columns: 20, rows: 5)
        screen = try await tmux.waitFor("the 20×5 layout") { s in
            let lines = s.split(separator: "\n", omittingEmptySubsequences: false)
            return lines.count >= 5 && Self.statusBar(s).contains("RELAY")
        }
        #expect(screen.split(separator: "\n").allSatisfy { DisplayWidth.of($0) <= 20 })
        try tmux.resize(columns: 100, rows: 30)
        try await tmux.waitFor("▸ S01E02  Colour Bars")
        #expect(try tmux.format("#{pane_dead}") == "0")

        // CJK and accented titles cut by display width at 14 columns.
        try tmux.keys("2")
        try await tmux.waitFor("Movies")
        try tmux.resize(columns: 14, rows: 10)
        screen = try await tmux.waitFor("truncated titles") { $0.contains("東京…") && $0.contains("Amél…") }
        #expect(screen.split(separator: "\n").allSatisfy { DisplayWidth.of($0) <= 14 })
        try tmux.resize(columns: 100, rows: 30)

        // Colour is on in this run (so the NO_COLOR check below can fail).
        try await tmux.waitFor("Movies (3 of 3)")
        let coloured = try tmux.capture(escapes: true)
        #expect(Self.hasColourEscapes(coloured), "no colour escapes without NO_COLOR:\n\(coloured)")

        try tmux.keys("q")
        #expect(try await tmux.waitForExit() == 0)
        #expect(try tmux.format("#{alternate_on}") == "0")  // curses left the alternate screen
        tmux.kill()

        // Second start: from the cache at once, NO_COLOR honoured, SIGTERM restores the terminal.
        let second = Tmux()
        defer { second.kill() }
        try second.start([], environment: env.merging(["NO_COLOR": "1"]) { $1 })
        screen = try await second.waitFor("東京物語")
        try await second.waitFor("status bar") { !Self.statusBar($0).contains("CONNECTING") && !Self.statusBar($0).isEmpty }
        try second.keys("2")
        try await second.waitFor("Amélie à Paris")
        let escaped = try second.capture(escapes: true)
        #expect(!Self.hasColourEscapes(escaped), "colour escapes with NO_COLOR:\n\(escaped)")
        #expect(escaped.contains("\u{1b}[7m") || escaped.contains(";7m"))  // selection still shows (reverse video)
        let pid = try #require(try second.tuiPID())
        kill(pid, SIGTERM)
        #expect(try await second.waitForExit() == 0)
        #expect(try second.format("#{alternate_on}") == "0")
        await stack.stop()
    }

    /// SGR colour parameters: 30–37, 38, 40–47, 48, 90–97, 100–107 (39 and 49, "default colour",
    /// are resets tmux writes around every attribute change and carry no colour).
    static func hasColourEscapes(_ text: String) -> Bool {
        let regex = try! NSRegularExpression(pattern: "\u{1b}\\[([0-9;]*)m")
        let range = NSRange(text.startIndex..., in: text)
        for match in regex.matches(in: text, range: range) {
            guard let r = Range(match.range(at: 1), in: text) else { continue }
            for p in text[r].split(separator: ";").compactMap({ Int($0) }) {
                if (30...38).contains(p) || (40...48).contains(p) || (90...97).contains(p) || (100...107).contains(p) { return true }
            }
        }
        return false
    }
}
