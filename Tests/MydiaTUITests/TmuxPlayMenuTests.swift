import Foundation
import MydiaCrypto
import MydiaServer
import MydiaTestSupport
import Testing
@testable import MydiaTUI

/// The play menu in the real `mydia-tui` in a real tmux pane (issue 20): on a movie with two audio
/// tracks (eng 440 Hz, jpn 880 Hz, made by ffmpeg), `p` lists both, `j` and Enter start headless mpv
/// with the second, and mpv's own account says so — its log lists the jpn track as the one
/// selected (`(+) Audio --aid=2`), and `a` then cycles to the first (`Audio: 1 · eng`: the client
/// read mpv's `track-list` and found the second one selected).
@Suite(.serialized, .enabled(if: Tmux.available)) struct TmuxPlayMenuTests {
    /// A library with one movie: `Movies/Two Voices (2023).mkv`, 60 s, two audio tracks.
    static func library() throws -> String {
        let dir = NSTemporaryDirectory() + "mydia-tui-playmenu-library-v1"
        let fm = FileManager.default
        if fm.fileExists(atPath: dir + "/.complete") { return dir }
        let building = dir + ".\(UUID().uuidString).partial"
        try fm.createDirectory(atPath: building + "/Movies", withIntermediateDirectories: true)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                       "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=24:duration=60",
                       "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=60",
                       "-f", "lavfi", "-i", "sine=frequency=880:sample_rate=48000:duration=60",
                       "-map", "0:v", "-map", "1:a", "-map", "2:a",
                       "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=jpn",
                       "-c:v", "libx264", "-preset", "ultrafast", "-g", "24", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "48k",
                       building + "/Movies/Two Voices (2023).mkv"]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
        _ = fm.createFile(atPath: building + "/.complete", contents: Data())
        if (try? fm.moveItem(atPath: building, toPath: dir)) == nil {
            try? fm.removeItem(atPath: building)  // another run made it first
            guard fm.fileExists(atPath: dir + "/.complete") else { throw CocoaError(.fileWriteUnknown) }
        }
        return dir
    }

    @Test func theMenuStartsMPVWithTheSecondAudioTrack() async throws {
        setlocale(LC_ALL, "C.UTF-8")
        let stack = try await ServerStack.start(library: try Self.library())
        let workspace = try TUIWorkspace("playmenu")
        let work = workspace.path
        let tmux = Tmux()
        defer {
            tmux.kill()
            workspace.remove()
        }
        let env = workspace.environment
        // Headless mpv, with its log in a file this test reads.
        let mpvLog = work + "/mpv.log"
        try "[player]\nmpv_args = [\"--vo=null\", \"--ao=null\", \"--log-file=\(mpvLog)\"]\nresume = \"never\"\n"
            .write(toFile: work + "/config/config.toml", atomically: true, encoding: .utf8)

        let bin = Tmux.quote(Programs.bin.appendingPathComponent("mydia-tui").path)
        let vars = "env -u NO_COLOR " + env.sorted { $0.key < $1.key }.map { "\($0.key)=\(Tmux.quote($0.value))" }.joined(separator: " ")
        let code = try await stack.host.issueClaim().code.value
        try tmux.startShell("\(vars) \(bin) pair \(code) --relay \(Tmux.quote(stack.relayOrigin)) --name 'tmux menu' && \(vars) \(bin)"
                            + "; echo \"[mydia-tui exited $?]\"; sleep 600", columns: 120, rows: 32)
        try await tmux.waitFor("Recently added")
        try tmux.keys("2")
        try await tmux.waitFor("▸ Two Voices")

        // `p`: both audio tracks, the first (mpv's default) marked; subtitles Off (the file has none).
        try tmux.keys("p")
        var screen = try await tmux.waitFor("the play menu with both audio tracks") { $0.contains("● eng · AAC") && $0.contains("○ jpn · AAC") }
        #expect(screen.contains("Audio") && screen.contains("Subtitles") && screen.contains("● Off"), "\(screen)")
        try tmux.keys("j")
        try await tmux.waitFor("jpn chosen") { $0.contains("○ eng · AAC") && $0.contains("● jpn · AAC") }
        try tmux.keys("Enter")
        screen = try await tmux.waitFor("playing", timeout: .seconds(60)) { $0.contains("▶ Two Voices") }
        #expect(!screen.contains("● jpn"), "the menu closed")

        // mpv's own account of the tracks it selected when the file loaded.
        let deadline = ContinuousClock.now + .seconds(20)
        var selected: [String] = []
        while ContinuousClock.now < deadline {
            let log = (try? String(contentsOfFile: mpvLog, encoding: .utf8)) ?? ""
            selected = log.split(separator: "\n").map(String.init).filter { $0.contains("(+) Audio") }
            if !selected.isEmpty { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(selected.contains { $0.contains("--aid=2") && $0.contains("jpn") }, "mpv selected: \(selected)")

        // `a` reads mpv's track-list and moves on from the selected one: from the second, back to the first.
        try tmux.keys("a")
        try await tmux.waitFor("cycled from the second track to the first") { $0.contains("Audio: 1 · eng") }

        try tmux.keys("q")
        #expect(try await tmux.waitForExit() == 0)
        await stack.stop()
    }
}
