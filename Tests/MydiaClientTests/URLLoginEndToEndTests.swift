import Foundation
import MydiaLibrary
import MydiaCrypto
import MydiaTestSupport
import Testing

/// URL login against the real reference server (PROTOCOL.md §14.2, §14.3): `mydia-server user add`
/// makes a user without and one with TOTP; `mydia-tui login` signs in over the direct HTTPS listener
/// pinned with `--pin-sha256` (codes computed from the printed secret); then browse, status,
/// devices, refusals, a server with the player switched off, and revocation → exit 7.
@Suite(.serialized, .timeLimit(.minutes(4))) struct URLLoginEndToEndTests {
    struct Server {
        let relay: RunningProgram
        let server: RunningProgram
        let url: String
        let fingerprint: String
        func stop() { server.stop(); relay.stop() }
    }


    static func start(state: String, library: String, extra: [String] = []) throws -> Server {
        let relay = try RunningProgram("mydia-relay", ["--host", "127.0.0.1", "--port", "0", "--print-ready"])
        let relayURL = try #require(try relay.ready()["relay_url"] as? String)
        let server = try RunningProgram("mydia-server", ["--relay", relayURL, "--library", library, "--state-dir", state,
                                                         "--host", "127.0.0.1", "--print-ready", "--name", "Login Test"] + extra)
        let ready = try server.ready()
        let url = try #require((ready["direct_urls"] as? [String])?.first)
        let fingerprint = try #require(ready["cert_fingerprint"] as? String)
        return Server(relay: relay, server: server, url: url, fingerprint: fingerprint)
    }

    @Test func loginBrowseRefusalsAndRevocationAgainstTheReferenceServer() throws {
        let work = NSTemporaryDirectory() + "mydia-url-login-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let state = work + "/server"
        let ada = try Programs.run("mydia-server", ["user", "add", "ada", "--password-stdin", "--state-dir", state], stdin: "ada's pw\n")
        #expect(ada.status == 0, "\(ada.stderr)")
        let bob = try Programs.run("mydia-server", ["user", "add", "bob", "--totp", "--password-stdin", "--state-dir", state], stdin: "bob's pw\n")
        #expect(bob.status == 0, "\(bob.stderr)")
        let uri = try #require(bob.stdout.split(separator: "\n").first { $0.hasPrefix("otpauth://") })
        let secret = try #require(URLComponents(string: String(uri))?.queryItems?.first { $0.name == "secret" }?.value)
        let totp = TOTP(secret: try #require(Base32.decode(secret)))

        let server = try Self.start(state: state, library: try ServerStack.sampleLibrary())
        defer { server.stop() }
        let config = work + "/client"
        let login = ["login", server.url, "--user", "ada", "--password-stdin"]

        // The self-signed certificate without a pin or a CA: exit 5, the fix named.
        let untrusted = try Programs.tui(login, config: config, stdin: "ada's pw\n")
        #expect(untrusted.status == 5 && untrusted.stderr.contains("--pin-sha256 \(server.fingerprint)"), "\(untrusted.stderr)")
        // A wrong password: exit 4, the server's own text; nothing is stored.
        let wrong = try Programs.tui(login + ["--pin-sha256", server.fingerprint], config: config, stdin: "nope\n")
        #expect(wrong.status == 4 && wrong.stderr == "Invalid username or password.\n", "\(wrong.stderr)")
        #expect(!FileManager.default.fileExists(atPath: config + "/logins.json"))

        let ok = try Programs.tui(login + ["--pin-sha256", server.fingerprint, "--name", "Home"], config: config, stdin: "ada's pw\n")
        #expect(ok.status == 0 && ok.stdout == "Logged in to Home as ada.\n", "\(ok.stderr)")

        let list = try Programs.tui(["ls", "movies", "--json"], config: config)
        #expect(list.status == 0, "\(list.stderr)")
        let movies = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(movies.count == 3 && movies.contains { $0["title"] as? String == "東京物語" })
        let id = try #require(movies.first { $0["title"] as? String == "Big Test Pattern" }?["id"] as? String)
        let show = try Programs.tui(["show", id, "--json"], config: config)
        #expect(show.status == 0, "\(show.stderr)")
        let detail = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        #expect((detail["files"] as? [[String: Any]])?.first?["container"] is String)
        let search = try Programs.tui(["search", "tokyo", "--json"], config: config)
        #expect(search.status == 0, "\(search.stderr)")

        let status = try Programs.tui(["status", "--json"], config: config)
        let snapshot = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect(snapshot["state"] as? String == "direct" && snapshot["direct_only"] as? Bool == true, "\(status.stdout)")

        // The TOTP account: the code on stdin's second line, computed from the printed secret.
        let bobLogin = ["login", server.url, "--user", "bob", "--password-stdin", "--pin-sha256", server.fingerprint, "--name", "Bob"]
        let badCode = try Programs.tui(bobLogin, config: config, stdin: "bob's pw\n000000\n")
        #expect(badCode.status == 4 && badCode.stderr == "Invalid code.\n", "\(badCode.stderr)")
        let code = try #require(totp.code(at: Date()))
        let bobOK = try Programs.tui(bobLogin, config: config, stdin: "bob's pw\n\(code)\n")
        #expect(bobOK.status == 0 && bobOK.stdout == "Logged in to Bob as bob.\n", "\(bobOK.stderr)")

        // The login device, revoked by the operator: the next command exits 7 and says "log in again".
        let devices = try Programs.tui(["devices", "--json", "--server", "Home"], config: config)
        #expect(devices.status == 0, "\(devices.stderr)")
        let mine = try #require((try JSONSerialization.jsonObject(with: Data(devices.stdout.utf8)) as? [[String: Any]])?.first)
        let deviceID = try #require(mine["id"] as? String)
        let revoke = try Programs.run("mydia-server", ["revoke", deviceID, "--state-dir", state], stdin: "")
        #expect(revoke.status == 0, "\(revoke.stderr)")
        let rejected = try Programs.tui(["ls", "movies", "--json", "--server", "Home"], config: config)
        #expect(rejected.status == 7 && rejected.stdout.isEmpty, "\(rejected.status) \(rejected.stderr)")
        #expect(rejected.stderr.contains("log in again"), "\(rejected.stderr)")
        // Bob's login is untouched by Ada's revocation.
        #expect(try Programs.tui(["ls", "movies", "--json", "--server", "Bob"], config: config).status == 0)

        // No token or password ever reached the terminal.
        let stored = try String(contentsOfFile: config + "/logins.json", encoding: .utf8)
        #expect(!stored.contains("ada's pw") && !stored.contains("bob's pw"))
        for output in [ok, list, show, status, bobOK, devices, rejected] {
            #expect(!output.stdout.contains("s pw") && !output.stderr.contains("s pw"))
        }
    }

    /// The same flows against a server restricted to the 2026-07-01 schema (§14.2.8): login without
    /// TOTP fields, browse, search (its flat results), status and revocation; the generation is
    /// learnt from the first refusal and remembered with the login.
    @Test func theSameFlowsAgainstAnOlderGenerationServer() throws {
        let work = NSTemporaryDirectory() + "mydia-url-login-old-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let state = work + "/server"
        _ = try Programs.run("mydia-server", ["user", "add", "ada", "--password-stdin", "--state-dir", state], stdin: "ada's pw\n")
        let server = try Self.start(state: state, library: try ServerStack.sampleLibrary(), extra: ["--stock-generation", "2026-07-01"])
        defer { server.stop() }
        let config = work + "/client"
        let ok = try Programs.tui(["login", server.url, "--user", "ada", "--password-stdin", "--pin-sha256", server.fingerprint, "--name", "Old"],
                                  config: config, stdin: "ada's pw\n")
        #expect(ok.status == 0 && ok.stdout == "Logged in to Old as ada.\n", "\(ok.stderr)")
        let servers = try Programs.tui(["servers", "--json"], config: config)
        #expect(servers.stdout.contains("legacy2026_07"), "\(servers.stdout)")
        let list = try Programs.tui(["ls", "movies", "--json"], config: config)
        let movies = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]], "\(list.stderr)")
        #expect(movies.count == 3)
        let id = try #require(movies.first { $0["title"] as? String == "Big Test Pattern" }?["id"] as? String)
        let show = try Programs.tui(["show", id, "--json"], config: config)
        #expect(show.status == 0, "\(show.stderr)")
        let search = try Programs.tui(["search", "pattern", "--json"], config: config)
        let hits = try #require(try JSONSerialization.jsonObject(with: Data(search.stdout.utf8)) as? [[String: Any]], "\(search.stderr)")
        #expect(hits.contains { $0["id"] as? String == id && $0["type"] as? String == "movie" })
        let shows = try Programs.tui(["ls", "shows", "--json"], config: config)
        #expect(shows.status == 0, "\(shows.stderr)")
        let devices = try Programs.tui(["devices", "--json"], config: config)
        let mine = try #require((try JSONSerialization.jsonObject(with: Data(devices.stdout.utf8)) as? [[String: Any]])?.first, "\(devices.stderr)")
        #expect(mine["online"] is NSNull)  // the older RemoteDevice has no `online`
        let revoke = try Programs.run("mydia-server", ["revoke", try #require(mine["id"] as? String), "--state-dir", state], stdin: "")
        #expect(revoke.status == 0, "\(revoke.stderr)")
        let rejected = try Programs.tui(["ls", "movies", "--json"], config: config)
        #expect(rejected.status == 7 && rejected.stderr.contains("log in again"), "\(rejected.stderr)")
    }

    @Test func aServerWithThePlayerSwitchedOffRefusesLoginWithItsText() throws {
        let work = NSTemporaryDirectory() + "mydia-url-login-off-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let state = work + "/server"
        _ = try Programs.run("mydia-server", ["user", "add", "ada", "--password-stdin", "--state-dir", state], stdin: "pw\n")
        let server = try Self.start(state: state, library: try ServerStack.sampleLibrary(), extra: ["--no-player"])
        defer { server.stop() }
        let off = try Programs.tui(["login", server.url, "--user", "ada", "--password-stdin", "--pin-sha256", server.fingerprint],
                                   config: work + "/client", stdin: "pw\n")
        #expect(off.status == 4 && off.stderr.lowercased().contains("player"), "\(off.status) \(off.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work + "/client/logins.json"))
    }
}
