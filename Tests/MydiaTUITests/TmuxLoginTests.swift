import Foundation
import MydiaCrypto
import MydiaLibrary
import MydiaServer
import MydiaTestSupport
import Testing

/// The real `mydia-tui` in a real tmux pane logging in to the real `mydia-server` by URL
/// (PROTOCOL.md §14.2, §14.3) — no relay on the client's side, no claim code: Ctrl-L on the
/// first-run screen, the self-signed certificate refused with its fingerprint named, the pin typed
/// into Trust, a wrong password refused with the server's sentence, then the library, the status
/// bar on DIRECT with the URL, and quit. A second start opens the stored login server at once. A
/// TOTP account types its code on the screen. The password never appears on the pane, in the
/// stored logins or in the log.
@Suite(.serialized, .enabled(if: Tmux.available), .timeLimit(.minutes(4))) struct TmuxLoginTests {
    static let adaPassword = "ada's pw ünïcode"
    static let bobPassword = "bob's other pw"

    struct Server {
        let relay: RunningProgram
        let server: RunningProgram
        let url: String
        let fingerprint: String
        func stop() { server.stop(); relay.stop() }
    }

    /// The reference server with its relay (it needs one to start), printing its direct URL and pin.
    static func start(state: String) throws -> Server {
        let relay = try RunningProgram("mydia-relay", ["--host", "127.0.0.1", "--port", "0", "--print-ready"])
        let relayURL = try #require(try relay.ready()["relay_url"] as? String)
        let server = try RunningProgram("mydia-server", ["--relay", relayURL, "--library", try ServerStack.sampleLibrary(), "--state-dir", state,
                                                         "--host", "127.0.0.1", "--print-ready", "--name", "Login Lab"])
        let ready = try server.ready()
        let url = try #require((ready["direct_urls"] as? [String])?.first)
        let fingerprint = try #require(ready["cert_fingerprint"] as? String)
        return Server(relay: relay, server: server, url: url, fingerprint: fingerprint)
    }

    static func environment(_ home: String) -> [String: String] {
        ["LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "xterm-256color", "MYDIA_CONFIG_DIR": home + "/config",
         "MYDIA_CACHE_DIR": home + "/cache", "XDG_STATE_HOME": home + "/state", "HOME": home, "SWIFT_BACKTRACE": "interactive=no",
         "MYDIA_DISCOVERY": "off"]
    }

    @Test func logInWithThePinSeeTheLibraryQuitAndStartAgain() async throws {
        setlocale(LC_ALL, "C.UTF-8")
        let work = NSTemporaryDirectory() + "mydia-tui-tmux-login-\(UUID().uuidString)"
        let state = work + "/server"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let ada = try Programs.run("mydia-server", ["user", "add", "ada", "--password-stdin", "--state-dir", state], stdin: Self.adaPassword + "\n")
        #expect(ada.status == 0, "\(ada.stderr)")
        let server = try Self.start(state: state)
        defer { server.stop() }
        let home = work + "/ada"
        let env = Self.environment(home)
        var screens: [String] = []
        let tmux = Tmux()
        defer { tmux.kill() }

        // Trace logging: the most the log ever says, so the check below that no secret is in it can fail.
        try tmux.start(["--log-level", "trace"], environment: env)
        try await tmux.waitFor("Pair with your server")
        try tmux.keys("C-l")
        try await tmux.waitFor("Log in to a server")
        try tmux.literal(server.url)
        try tmux.keys("Tab")
        try tmux.literal("ada")
        try tmux.keys("Tab")
        try tmux.literal(Self.adaPassword)
        var screen = try await tmux.waitFor("the password as bullets") {
            Self.row($0, " Password:") == " Password:  " + String(repeating: "•", count: Self.adaPassword.count)
        }
        screens.append(screen)

        // No pin yet: the self-signed certificate is refused and its fingerprint named; the URL and
        // user stay, the password field is empty again.
        try tmux.keys("Enter")
        screen = try await tmux.waitFor("the untrusted-certificate sentence with the fingerprint") {
            $0.contains("not trusted by this computer") && $0.contains(server.fingerprint)
        }
        screens.append(screen)
        #expect(Self.row(screen, " URL:") == " URL:       \(server.url)" && Self.row(screen, " User:") == " User:      ada")
        #expect(Self.row(screen, " Password:") == " Password:")  // empty
        #expect(TmuxEndToEndTests.statusBar(screen).contains("NOT LOGGED IN"))

        // The cursor is on Trust: the pin goes there; then a wrong password — the server's sentence.
        try tmux.literal(server.fingerprint)
        try tmux.keys("BTab")
        try tmux.literal("not the password")
        try tmux.keys("Enter")
        screen = try await tmux.waitFor("Invalid username or password.")
        screens.append(screen)
        #expect(Self.row(screen, " User:") == " User:      ada" && Self.row(screen, " Trust:") == " Trust:     \(server.fingerprint)")

        // The right password: the library, on DIRECT to the URL.
        try tmux.literal(Self.adaPassword)
        screens.append(try tmux.capture())
        try tmux.keys("Enter")
        screen = try await tmux.waitFor("Recently added")
        screens.append(screen)
        screen = try await tmux.waitFor("status bar DIRECT with the URL") {
            TmuxEndToEndTests.statusBar($0).contains("DIRECT") && TmuxEndToEndTests.statusBar($0).contains("direct \(server.url)")
        }
        #expect(!TmuxEndToEndTests.statusBar(screen).contains("plain HTTP") && !TmuxEndToEndTests.statusBar(screen).contains("relay"))
        try tmux.keys("2")
        // Waits for the whole list: a capture can land while curses is still drawing the frame.
        screen = try await tmux.waitFor("the three movies") {
            $0.contains("Movies (3 of 3)") && $0.contains("東京物語") && $0.contains("Big Test Pattern")
        }
        screens.append(screen)
        try tmux.keys("c")
        screen = try await tmux.waitFor("none — logged in by URL")
        screens.append(screen)
        try tmux.keys("Escape")
        try await tmux.waitFor("the connection view closed") { !$0.contains("none — logged in by URL") }
        try tmux.keys("4")
        screen = try await tmux.waitFor("Server: 127.0.0.1 · \(server.url)")
        screens.append(screen)
        try tmux.keys("q")
        #expect(try await tmux.waitForExit() == 0)
        #expect(try tmux.format("#{alternate_on}") == "0")
        tmux.kill()

        // Second start: the stored login server opens at once, no login screen.
        let second = Tmux()
        defer { second.kill() }
        try second.start([], environment: env)
        screen = try await second.waitFor("status bar DIRECT with the URL on the second start") {
            TmuxEndToEndTests.statusBar($0).contains("direct \(server.url)")
        }
        #expect(!screen.contains("Log in to a server") && !screen.contains("Pair with your server"))
        try second.keys("2")
        screens.append(try await second.waitFor("Amélie à Paris"))
        try second.keys("q")
        #expect(try await second.waitForExit() == 0)

        // The password reached neither the pane, nor the stored logins, nor the log; the token is
        // stored (that is the point) but never logged.
        for s in screens { #expect(!s.contains(Self.adaPassword) && !s.contains("ünïcode"), "\(s)") }
        let logins = try String(contentsOfFile: home + "/config/logins.json", encoding: .utf8)
        #expect(logins.contains(server.url) && !logins.contains("ünïcode") && !logins.contains("not the password"))
        let token = try #require(Self.accessToken(logins))
        let log = (try? String(contentsOfFile: home + "/state/mydia-tui/mydia-tui.log", encoding: .utf8)) ?? ""
        #expect(!log.isEmpty)
        #expect(!log.contains("ünïcode") && !log.contains("not the password") && !log.contains(token))
    }

    @Test func aTOTPAccountTypesItsCodeOnTheScreen() async throws {
        setlocale(LC_ALL, "C.UTF-8")
        let work = NSTemporaryDirectory() + "mydia-tui-tmux-totp-\(UUID().uuidString)"
        let state = work + "/server"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let bob = try Programs.run("mydia-server", ["user", "add", "bob", "--totp", "--password-stdin", "--state-dir", state],
                                   stdin: Self.bobPassword + "\n")
        #expect(bob.status == 0, "\(bob.stderr)")
        let uri = try #require(bob.stdout.split(separator: "\n").first { $0.hasPrefix("otpauth://") })
        let secret = try #require(URLComponents(string: String(uri))?.queryItems?.first { $0.name == "secret" }?.value)
        let totp = TOTP(secret: try #require(Base32.decode(secret)))
        let server = try Self.start(state: state)
        defer { server.stop() }
        let home = work + "/bob"
        let tmux = Tmux()
        defer { tmux.kill() }

        try tmux.start([], environment: Self.environment(home))
        try await tmux.waitFor("Pair with your server")
        try tmux.keys("C-l")
        try await tmux.waitFor("Log in to a server")
        try tmux.literal(server.url)
        try tmux.keys("Tab")
        try tmux.literal("bob")
        try tmux.keys("Tab")
        try tmux.literal(Self.bobPassword)
        try tmux.keys("Tab")
        try tmux.literal(server.fingerprint)
        try tmux.keys("Enter")
        var screen = try await tmux.waitFor("This account needs a second factor")
        #expect(screen.contains(" Code:") && screen.contains("Enter send the code"))
        #expect(!FileManager.default.fileExists(atPath: home + "/config/logins.json"))  // nothing stored yet
        let code = try #require(totp.code(at: Date()))
        try tmux.literal(code)
        screen = try await tmux.waitFor("the code as bullets") { Self.row($0, " Code:") == " Code:      ••••••" }
        #expect(!screen.contains(code) && !screen.contains(Self.bobPassword))
        try tmux.keys("Enter")
        screen = try await tmux.waitFor("Recently added")
        try await tmux.waitFor("status bar DIRECT") { TmuxEndToEndTests.statusBar($0).contains("direct \(server.url)") }
        #expect(!screen.contains(Self.bobPassword))
        try tmux.keys("q")
        #expect(try await tmux.waitForExit() == 0)
        let logins = try String(contentsOfFile: home + "/config/logins.json", encoding: .utf8)
        #expect(logins.contains("\"bob\"") && !logins.contains(Self.bobPassword))
    }

    /// The pane's row that starts with `prefix`, without the trailing blanks capture-pane drops anyway.
    static func row(_ screen: String, _ prefix: String) -> String? {
        screen.split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
    }

    /// The stored access token, to check it never reaches the log.
    static func accessToken(_ logins: String) -> String? {
        guard let json = try? JSONSerialization.jsonObject(with: Data(logins.utf8)) as? [String: Any],
              let first = (json["logins"] as? [[String: Any]])?.first else { return nil }
        return first["access_token"] as? String
    }
}
