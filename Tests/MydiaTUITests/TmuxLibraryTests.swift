import Foundation
import MydiaCrypto
import MydiaLibrary
import MydiaServer
import MydiaTestSupport
import Testing
@testable import MydiaTUI

/// The browsing features in the real `mydia-tui` in a real tmux pane against two real servers
/// (relay and server in this process, the sample library with accented and CJK titles): the home
/// rails show what the server says is in progress and next, Movies sorts by year both ways and the
/// filter finds "Amélie" typed without accents, `w` marks a movie watched and the server's
/// library agrees, and `S` switches to the second server, whose name the status bar then shows.
@Suite(.serialized, .enabled(if: Tmux.available)) struct TmuxLibraryTests {
    /// The rows of the screen that contain `text`, top to bottom.
    static func row(_ screen: String, _ text: String) -> Int? {
        screen.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(text) }
    }

    @Test func railsSortFilterWatchedAndServerSwitch() async throws {
        setlocale(LC_ALL, "C.UTF-8")
        let first = try await ServerStack.start()
        let second = try await ServerStack.start { $0.instanceName = "Keller Server" }
        let workspace = try TUIWorkspace("lib")
        let tmux = Tmux()
        defer {
            tmux.kill()
            workspace.remove()
        }
        let env = workspace.environment

        // Progress on the first server: a movie half watched, and the pilot finished (so its next episode is up).
        let library = first.host.library
        let movies = try await library.movies()
        let big = try #require(movies.first { $0.title == "Big Test Pattern" })
        let tokyo = try #require(movies.first { $0.title == "東京物語" })
        let show = try #require(try await library.shows().first)
        let pilot = try #require(try await library.episodes(showID: show.id, season: 1).first)
        _ = try await library.updateProgress(itemID: big.id, position: 1, duration: 2)
        _ = try await library.setWatched(itemID: pilot.id, watched: true)

        // Pair with both servers with `mydia-tui pair` in the pane (its output stays out of this
        // process), then start the UI, which opens the last one paired: the second first.
        let bin = Tmux.quote(Programs.bin.appendingPathComponent("mydia-tui").path)
        let vars = "env -u NO_COLOR " + env.sorted { $0.key < $1.key }.map { "\($0.key)=\(Tmux.quote($0.value))" }.joined(separator: " ")
        var steps: [String] = []
        for stack in [second, first] {
            let code = try await stack.host.issueClaim().code.value
            steps.append("\(vars) \(bin) pair \(code) --relay \(Tmux.quote(stack.relayOrigin)) --name 'tmux lib'")
        }
        steps.append("\(vars) \(bin)")
        try tmux.startShell(steps.joined(separator: " && ") + "; echo \"[mydia-tui exited $?]\"; sleep 600")

        // Home: three rails of cards, the movie in progress with its bar, the next episode.
        var screen = try await tmux.waitFor("the rails") { $0.contains("Continue watching (1)") && $0.contains("Next up (1)") }
        #expect(screen.contains("Recently added") && screen.contains("┌"))
        #expect(screen.contains("50%") && screen.contains("S01E02 Colour Bars"))
        #expect(TmuxEndToEndTests.statusBar(screen).contains("Test Wohnzimmer"))

        // Movies by title, then by year (newest first), then oldest first.
        try tmux.keys("2")
        screen = try await tmux.waitFor("movies by title") { $0.contains("by title") && $0.contains("東京物語") }
        #expect(Self.row(screen, "Amélie à Paris")! < Self.row(screen, "Big Test Pattern")!)
        #expect(Self.row(screen, "Big Test Pattern")! < Self.row(screen, "東京物語")!)
        try tmux.keys("o")
        screen = try await tmux.waitFor("movies by year, newest first") { $0.contains("by year ↓") && !$0.contains("loading") }
        #expect(Self.row(screen, "Big Test Pattern")! < Self.row(screen, "Amélie à Paris")!)
        #expect(Self.row(screen, "Amélie à Paris")! < Self.row(screen, "東京物語")!)
        try tmux.keys("O")
        screen = try await tmux.waitFor("movies by year, oldest first") { $0.contains("by year") && !$0.contains("by year ↓") && !$0.contains("loading") }
        #expect(Self.row(screen, "東京物語")! < Self.row(screen, "Amélie à Paris")!)
        #expect(Self.row(screen, "Amélie à Paris")! < Self.row(screen, "Big Test Pattern")!)

        // The filter, typed without accents, then a CJK one.
        try tmux.keys("f")
        try tmux.literal("amelie")
        screen = try await tmux.waitFor("the accent-insensitive filter") { $0.contains("filter: amelie") && !$0.contains("Big Test Pattern") }
        #expect(screen.contains("Amélie à Paris") && !screen.contains("東京物語"))
        try tmux.keys("Escape")
        try tmux.keys("f")
        try tmux.literal("東京")
        screen = try await tmux.waitFor("the CJK filter") { $0.contains("▸ 東京物語") && !$0.contains("Amélie") }
        try tmux.keys("Enter")

        // `w` on 東京物語: ticked at once, and the server's library agrees.
        try tmux.keys("w")
        try await tmux.waitFor("the tick") { $0.contains("marked watched") && $0.contains("✓ 1953") }
        let deadline = ContinuousClock.now + .seconds(15)
        var stored = false
        while ContinuousClock.now < deadline, !stored {
            stored = try await library.progress(itemID: tokyo.id)?.watched == true
            if !stored { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(stored, "the server did not store the watched mark")
        try tmux.keys("w")
        try await tmux.waitFor("unmarked") { $0.contains("marked unwatched") }
        let cleared = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < cleared, try await library.progress(itemID: tokyo.id)?.watched == true {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(try await library.progress(itemID: tokyo.id)?.watched != true)

        // `S`: both servers listed; switching shows the second one by name in the status bar.
        try tmux.keys("S")
        screen = try await tmux.waitFor("the switcher") { $0.contains("Keller Server") && $0.contains("in use") }
        let current = try #require(Self.row(screen, "in use"))
        let other = try #require(Self.row(screen, "Keller Server"))
        try tmux.keys(other > current ? "j" : "k")
        try tmux.keys("Enter")
        screen = try await tmux.waitFor("the second server") { TmuxEndToEndTests.statusBar($0).contains("Keller Server") }
        try await tmux.waitFor("its home") { $0.contains("Continue watching") && $0.contains("Recently added (") }
        // And back: the first one is warm.
        try tmux.keys("S")
        screen = try await tmux.waitFor("the first server warm") { $0.contains("warm") }
        try tmux.keys(other > current ? "k" : "j")
        try tmux.keys("Enter")
        try await tmux.waitFor("the first server again") { TmuxEndToEndTests.statusBar($0).contains("Test Wohnzimmer") && $0.contains("Continue watching (1)") }

        try tmux.keys("q")
        #expect(try await tmux.waitForExit() == 0)
        await first.stop()
        await second.stop()
    }
}
