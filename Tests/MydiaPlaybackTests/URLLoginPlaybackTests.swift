import Foundation
import MydiaTestSupport
import Testing

/// Playback after a URL login (PROTOCOL.md §14.2.3, §14.2.6): the real `mydia-server` with a local
/// user, `mydia-tui login` over its pinned HTTPS listener, then `mydia-tui play` with real headless
/// mpv. Media requests carry the access token as `Authorization: Bearer` (the login's path adds it;
/// there is no media token to put in a URL): direct play and a forced HLS stream both play to the end.
@Suite(.serialized, .timeLimit(.minutes(4))) struct URLLoginPlaybackTests {
    /// `mydia-server ARGS` to completion with `stdin`.

    /// The `event` lines of `play --events json` output.
    static func events(_ stdout: String) -> [[String: Any]] {
        stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// Both stock generations (PROTOCOL.md §14.2.8): against a server answering as the 2026-07-01
    /// schema the client learns the generation from the first refusal and plays all the same.
    @Test(arguments: ["current", "2026-07-01"])
    func aLoggedInClientPlaysDirectlyAndOverHLSWithTheBearerOnly(generation: String) async throws {
        let work = NSTemporaryDirectory() + "mydia-url-login-play-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let state = work + "/server", config = work + "/client"
        let ada = try Programs.run("mydia-server", ["user", "add", "ada", "--password-stdin", "--state-dir", state], stdin: "ada's pw\n")
        #expect(ada.status == 0, "\(ada.stderr)")
        let relay = try RunningProgram("mydia-relay", ["--host", "127.0.0.1", "--port", "0", "--print-ready"])
        defer { relay.stop() }
        let relayURL = try #require(try relay.ready()["relay_url"] as? String)
        let server = try RunningProgram("mydia-server", ["--relay", relayURL, "--library", try PlaybackFixture.longClipLibrary(),
                                                         "--state-dir", state, "--host", "127.0.0.1", "--print-ready",
                                                         "--stock-generation", generation])
        defer { server.stop() }
        let ready = try server.ready()
        let url = try #require((ready["direct_urls"] as? [String])?.first)
        let fingerprint = try #require(ready["cert_fingerprint"] as? String)
        let login = try Programs.tui(["login", url, "--user", "ada", "--password-stdin", "--pin-sha256", fingerprint], config: config,
                                     stdin: "ada's pw\n")
        #expect(login.status == 0, "\(login.stderr)")
        let list = try Programs.tui(["ls", "movies", "--json"], config: config)
        let movies = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]], "\(list.stderr)")
        let id = try #require(movies.first { $0["title"] as? String == "Long Pattern" }?["id"] as? String)
        let servers = try Programs.tui(["servers", "--json"], config: config)
        let stored = try #require((try JSONSerialization.jsonObject(with: Data(servers.stdout.utf8)) as? [[String: Any]])?.first)
        #expect(stored["generation"] as? String == (generation == "current" ? "current" : "legacy2026_07"), "\(stored)")

        for (args, strategy, route) in [([String](), "direct", "/file/"), (["--strategy", "hls-copy"], "hls-copy", "/hls/")] {
            let play = await MediaProxyTests.offPool {
                Result { try Programs.tui(["play", id, "--start", "0", "--events", "json", "--mpv-arg=--vo=null", "--mpv-arg=--ao=null"] + args,
                                          config: config) }
            }
            let result = try play.get()
            #expect(result.status == 0, "\(args): \(result.stderr)")
            let events = Self.events(result.stdout)
            let started = try #require(events.first { $0["event"] as? String == "started" }, "\(result.stdout.prefix(2000))")
            #expect(started["strategy"] as? String == strategy && (started["url"] as? String)?.contains(route) == true, "\(started)")
            #expect(events.contains { $0["event"] as? String == "ended" && $0["how"] as? String == "finished" }, "\(args)")
            let summary = try #require(events.last)
            #expect(summary["bytes_served"] as? Int ?? 0 > 1_000_000 && summary["truncated"] as? Int == 0, "\(summary)")
            #expect(!result.stdout.contains(url) && !result.stderr.contains(url))
        }
    }

    /// PROTOCOL.md §14.2.3: the device revoked while mpv plays — the next segment answers 401, the
    /// playback stops cleanly and `play` exits 7 with "log in again".
    @Test func aLoginRevokedWhilePlayingStopsWithLogInAgain() async throws {
        let work = NSTemporaryDirectory() + "mydia-url-login-revoke-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let state = work + "/server", config = work + "/client"
        _ = try Programs.run("mydia-server", ["user", "add", "ada", "--password-stdin", "--state-dir", state], stdin: "ada's pw\n")
        let relay = try RunningProgram("mydia-relay", ["--host", "127.0.0.1", "--port", "0", "--print-ready"])
        defer { relay.stop() }
        let relayURL = try #require(try relay.ready()["relay_url"] as? String)
        let server = try RunningProgram("mydia-server", ["--relay", relayURL, "--library", try PlaybackFixture.longClipLibrary(),
                                                         "--state-dir", state, "--host", "127.0.0.1", "--print-ready"])
        defer { server.stop() }
        let ready = try server.ready()
        let url = try #require((ready["direct_urls"] as? [String])?.first)
        let fingerprint = try #require(ready["cert_fingerprint"] as? String)
        let login = try Programs.tui(["login", url, "--user", "ada", "--password-stdin", "--pin-sha256", fingerprint], config: config,
                                     stdin: "ada's pw\n")
        #expect(login.status == 0, "\(login.stderr)")
        let list = try Programs.tui(["ls", "movies", "--json"], config: config)
        let movies = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]], "\(list.stderr)")
        let id = try #require(movies.first { $0["title"] as? String == "Long Pattern" }?["id"] as? String)
        let devices = try Programs.tui(["devices", "--json"], config: config)
        let deviceID = try #require((try JSONSerialization.jsonObject(with: Data(devices.stdout.utf8)) as? [[String: Any]])?.first?["id"] as? String)

        let errors = work + "/play.err"
        #expect(FileManager.default.createFile(atPath: errors, contents: nil))
        let errorHandle = try #require(FileHandle(forWritingAtPath: errors))
        // A small read-ahead, so mpv asks for segments as it plays rather than all at once.
        let play = try RunningProgram("mydia-tui", ["play", id, "--start", "0", "--strategy", "hls-copy", "--events", "json",
                                                    "--mpv-arg=--vo=null", "--mpv-arg=--ao=null", "--mpv-arg=--cache=no",
                                                    "--mpv-arg=--demuxer-readahead-secs=1", "--mpv-arg=--demuxer-max-bytes=65536"],
                                      environment: ["MYDIA_CONFIG_DIR": config, "XDG_STATE_HOME": config + "/state", "MYDIA_DISCOVERY": "off"],
                                      stderr: errorHandle)
        defer { play.stop() }
        _ = try play.waitForJSON(timeout: 60) { $0["event"] as? String == "position" || $0["event"] as? String == "started" }
        let revoke = try Programs.run("mydia-server", ["revoke", deviceID, "--state-dir", state])
        #expect(revoke.status == 0, "\(revoke.stderr)")
        let ended = try play.waitForJSON(timeout: 30) { $0["event"] as? String == "ended" }.object
        #expect(ended["how"] as? String == "failed", "\(ended)")
        let status = play.stop()
        try errorHandle.close()
        let stderr = try String(contentsOfFile: errors, encoding: .utf8)
        #expect(status == 7 && stderr.contains("log in again"), "\(status) \(stderr)")
    }
}
