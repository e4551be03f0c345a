import Foundation
import MydiaAPI
@testable import MydiaConnection
import Testing
@testable import MydiaTUI

/// The URL login screen beside pairing (PROTOCOL.md §14.2), driven through the reducer and
/// rendered to frames: switching screens, typing and masking, Enter walking the fields, the trust
/// field, the second-factor step, refusals, success, and what the status bar says afterwards.
@Suite struct LoginScreenTests {
    init() { T.utf8() }

    static func loginScreen(rows: Int = 30, columns: Int = 100) -> AppState {
        var state = AppState(rows: rows, columns: columns, paired: false, relay: "https://relay.example.org")
        _ = state.reduce(.key(.control("l")))
        return state
    }

    static func type(_ state: inout AppState, _ text: String) {
        for c in text { _ = state.reduce(.key(.character(c))) }
    }

    /// A filled-in form, submitted; returns the attempt the runner got.
    static func submitted(_ state: inout AppState, url: String = "https://media.example.org", user: String = "ada",
                          password: String = "ada's secret", trust: String = "") throws -> LoginAttempt {
        type(&state, url)
        _ = state.reduce(.key(.tab))
        type(&state, user)
        _ = state.reduce(.key(.tab))
        type(&state, password)
        if !trust.isEmpty {
            _ = state.reduce(.key(.tab))
            type(&state, trust)
        }
        let effects = state.reduce(.key(.enter))
        guard case .login(let attempt)? = effects.first, effects.count == 1 else {
            Issue.record("no login effect: \(effects), error \(state.loginForm.error ?? "-")")
            throw CancellationError()
        }
        return attempt
    }

    @Test func ctrlLOpensTheLoginScreenAndCtrlPGoesBackToPairing() {
        var state = AppState(rows: 24, columns: 100, paired: false, relay: "https://relay.example.org")
        _ = T.keys(&state, .character("1"), .character("2"))
        var text = T.text(state)
        #expect(text.contains("Ctrl-L log in with a URL instead") && text.contains("No relay? Ctrl-L logs in"))
        #expect(Renderer.frame(state).lines.last?.text.contains("NOT PAIRED") == true)
        _ = T.keys(&state, .control("l"))
        #expect(state.screen == .login)
        text = T.text(state)
        #expect(text.contains("Log in to a server") && text.contains(" URL:") && text.contains(" Password:") && text.contains(" Trust:"))
        #expect(!text.contains(" Code:"))  // only once the server asks for it
        #expect(text.contains("Tab next field · Enter log in · Ctrl-P pair with a code instead · Esc quit"))
        #expect(Renderer.frame(state).lines.last?.text.contains("NOT LOGGED IN") == true)
        #expect(!Renderer.header(state).text.contains("Movies"))  // no tabs before a server is open
        _ = T.keys(&state, .control("p"))
        #expect(state.screen == .pairing && state.pairing.code == "12")  // the code typed so far stays
        #expect(T.keys(&state, .escape) == [.quit])
    }

    @Test func typedFieldsShowAndThePasswordIsOnlyEverBullets() throws {
        var state = Self.loginScreen()
        Self.type(&state, "https://media.example.org")
        #expect(state.loginForm.url == "https://media.example.org")
        _ = T.keys(&state, .tab)
        Self.type(&state, "ada")
        _ = T.keys(&state, .tab)
        #expect(state.loginForm.focus == .password)
        Self.type(&state, "hunter2 é")
        #expect(state.loginForm.password.count == 9)
        let text = T.text(state)
        #expect(text.contains(" Password:  ••••••••• "), "\(text)")
        #expect(!text.contains("hunter2"))
        // The cursor sits after the bullets, on the password row.
        let frame = Renderer.frame(state)
        let row = try #require(frame.lines.firstIndex { $0.text.contains("Password:") })
        #expect(frame.cursor?.row == row && frame.cursor?.column == LoginView.labelWidth + 1 + 9)
        // Nothing that describes the state carries the password.
        #expect(!String(describing: state).contains("hunter2") && !String(reflecting: state.loginForm).contains("hunter2"))
        #expect(state.loginForm.password.description == "<secret, 9 characters>")
        // Backspace takes the whole last character (é is two bytes).
        _ = T.keys(&state, .backspace)
        #expect(state.loginForm.password.count == 8 && state.loginForm.password.revealedString() == "hunter2 ")
        // Tab wraps around the four fields; Shift-Tab goes back.
        _ = T.keys(&state, .tab, .tab)
        #expect(state.loginForm.focus == .url)
        _ = T.keys(&state, .backTab)
        #expect(state.loginForm.focus == .trust)
        #expect(T.text(state).contains("Empty: the system's CAs. Or the path of a PEM CA file"))
    }

    @Test func enterWalksTheEmptyFieldsThenSubmitsAndWipesTheFormsPassword() throws {
        var state = Self.loginScreen()
        _ = T.keys(&state, .enter)
        #expect(state.loginForm.error == "Type the server's URL, e.g. https://media.example.org.")
        Self.type(&state, "media.example.org/")
        #expect(T.keys(&state, .enter).isEmpty && state.loginForm.focus == .user && state.loginForm.error == nil)
        Self.type(&state, " ada ")
        #expect(T.keys(&state, .enter).isEmpty && state.loginForm.focus == .password)
        Self.type(&state, "pw")
        let effects = T.keys(&state, .enter)
        guard case .login(let attempt)? = effects.first else {
            Issue.record("expected a login effect, got \(effects)")
            return
        }
        #expect(attempt.url == (try LoginURL("https://media.example.org")) && attempt.username == "ada" && attempt.trust == .system)
        #expect(attempt.password.revealedString() == "pw")  // the attempt holds it …
        #expect(state.loginForm.password.isEmpty)  // … the form does not any more
        #expect(state.loginForm.busy && state.loginForm.progress == .checkingServer)
        #expect(T.keys(&state, .character("x"), .control("p"), .escape).isEmpty && state.screen == .login)  // locked while it runs
        #expect(T.text(state).contains("… Contacting media.example.org…"))
    }

    @Test func theURLAndTrustFieldsAreCheckedBeforeAnythingIsSent() throws {
        var state = Self.loginScreen()
        Self.type(&state, "ftp://media.example.org")
        _ = T.keys(&state, .tab)
        Self.type(&state, "ada")
        _ = T.keys(&state, .tab)
        Self.type(&state, "pw")
        #expect(T.keys(&state, .enter).isEmpty)
        #expect(state.loginForm.focus == .url && state.loginForm.error?.contains("is not a server URL") == true)
        #expect(state.loginForm.password.revealedString() == "pw")  // nothing was sent: the password stays typed

        // http:// with a CA file or pin: the transport has no TLS to check.
        state.loginForm.url = "http://192.168.1.5:4000"
        state.loginForm.trust = "./ca.pem"
        #expect(T.keys(&state, .enter).isEmpty)
        #expect(state.loginForm.focus == .trust && state.loginForm.error == LoginTrust.Error.notForPlainHTTP.description)
        state.loginForm.trust = ""
        guard case .login(let attempt)? = T.keys(&state, .enter).first else {
            Issue.record("expected a login effect")
            return
        }
        #expect(attempt.trust == .plainHTTP)
    }

    @Test func theTrustFieldTakesAPinInTheUsualSpellingsOrACAFilePath() throws {
        let https = try LoginURL("https://media.example.org")
        let hex = String(repeating: "ab", count: 32)
        let colons = stride(from: 0, to: 64, by: 2).map { i in String(hex.dropFirst(i).prefix(2)).uppercased() }.joined(separator: ":")
        #expect(try LoginTrust("", for: https) == .system)
        #expect(try LoginTrust(hex, for: https) == .pin(hex))
        #expect(try LoginTrust(colons, for: https) == .pin(hex))  // openssl x509 -fingerprint -sha256
        #expect(try LoginTrust("sha256=" + hex, for: https) == .pin(hex))
        #expect(try LoginTrust(" ./ca.pem ", for: https) == .caFile("./ca.pem"))
        #expect(try LoginTrust("~/certs/home ca.pem", for: https) == .caFile("~/certs/home ca.pem"))
        #expect(throws: LoginTrust.Error.pinLength(62)) { try LoginTrust(String(hex.dropLast(2)), for: https) }
        #expect(throws: LoginTrust.Error.pinLength(4)) { try LoginTrust("AB:CD", for: https) }
        let http = try LoginURL("http://127.0.0.1:4000")
        #expect(try LoginTrust("", for: http) == .plainHTTP)
        #expect(throws: LoginTrust.Error.notForPlainHTTP) { try LoginTrust(hex, for: http) }
    }

    @Test func theSecondFactorStepShowsTheCodeFieldAndSendsTheCode() throws {
        var state = Self.loginScreen()
        _ = try Self.submitted(&state)
        _ = state.reduce(.loginProgress(.signingIn))
        #expect(T.text(state).contains("✓ Contacting media.example.org") && T.text(state).contains("… Signing in as ada…"))
        _ = state.reduce(.loginProgress(.secondFactor))
        #expect(state.loginForm.needsCode && state.loginForm.focus == .code && !state.loginForm.busy)
        var text = T.text(state)
        #expect(text.contains(" Code:") && text.contains("This account needs a second factor"))
        #expect(text.contains(" Password:  (sent)"))
        #expect(text.contains("Enter send the code · Esc give the login up"))
        // Only the code takes keys now: Tab stays, separators are dropped, digits are bullets.
        _ = T.keys(&state, .tab, .up)
        #expect(state.loginForm.focus == .code)
        #expect(T.keys(&state, .enter).isEmpty && state.loginForm.error?.contains("6-digit code") == true)
        Self.type(&state, "123 456")
        #expect(state.loginForm.code.count == 6)
        text = T.text(state)
        #expect(text.contains(" Code:      •••••• ") && !text.contains("123"))
        let effects = T.keys(&state, .enter)
        guard case .loginCode(let code)? = effects.first else {
            Issue.record("expected the code effect, got \(effects)")
            return
        }
        #expect(code.revealedString() == "123456" && state.loginForm.code.isEmpty)
        #expect(state.loginForm.busy && T.text(state).contains("… Checking the code…"))

        // Logged in: the session opens, home loads, the form's secrets are gone.
        _ = state.reduce(.loginProgress(.loggedIn("media.example.org")))
        #expect(T.text(state).contains("✓ Logged in to media.example.org as ada — opening the library…"))
        let loads = state.reduce(.loginSessionOpened(serverName: "media.example.org", url: "https://media.example.org"))
        #expect(loads == [.loadHome, .loadMovies(after: nil), .loadShows(after: nil)])
        #expect(state.screen == .home && state.loginURL == "https://media.example.org" && state.relayOrigin == nil)
        #expect(state.serverName == "media.example.org" && state.currentDeviceID == nil)
        #expect(Renderer.header(state).text.contains("mydia · media.example.org") && Renderer.header(state).text.contains("Movies"))
    }

    @Test func escAtTheCodeStepGivesTheLoginUp() throws {
        var state = Self.loginScreen()
        _ = try Self.submitted(&state)
        _ = state.reduce(.loginProgress(.secondFactor))
        Self.type(&state, "12")
        #expect(T.keys(&state, .escape) == [.cancelLogin])
        #expect(state.loginForm.code.isEmpty && state.screen == .login)
        _ = state.reduce(.loginFailed("The login was given up — type the password again to retry.", field: .password))
        #expect(!state.loginForm.needsCode && !state.loginForm.busy && state.loginForm.focus == .password)
        #expect(!T.text(state).contains(" Code:"))
    }

    @Test func aRefusalKeepsTheURLAndUserClearsThePasswordAndShowsTheServersSentence() throws {
        var state = Self.loginScreen()
        _ = try Self.submitted(&state, password: "wrong one")
        _ = state.reduce(.loginProgress(.signingIn))
        _ = state.reduce(.loginFailed("Invalid username or password.", field: .password))
        let form = state.loginForm
        #expect(form.url == "https://media.example.org" && form.user == "ada")
        #expect(form.password.isEmpty && form.focus == .password && !form.busy && form.progress == nil)
        let text = T.text(state)
        #expect(text.contains("✗ Invalid username or password.") && text.contains("Fix it and press Enter to try again."))
        #expect(!text.contains("Signing in"))
        // The next try types the password only.
        Self.type(&state, "right one")
        guard case .login(let again)? = T.keys(&state, .enter).first else {
            Issue.record("expected a second login")
            return
        }
        #expect(again.password.revealedString() == "right one" && again.username == "ada")
        #expect(state.loginForm.error == nil)

        // A TLS refusal puts the cursor on Trust (the password is still typed again after it).
        _ = state.reduce(.loginFailed("The server's certificate is not trusted by this computer — … Trust: abcd.", field: .trust))
        #expect(state.loginForm.focus == .trust && state.loginForm.password.isEmpty)
        // A wrong code ends the login: back to the four fields.
        state.loginForm.password = SecretInput()
        Self.type(&state, "x")  // into Trust
        _ = state.reduce(.loginProgress(.secondFactor))
        Self.type(&state, "000000")
        _ = T.keys(&state, .enter)
        _ = state.reduce(.loginFailed("Invalid code.", field: .password))
        #expect(!state.loginForm.needsCode && state.loginForm.code.isEmpty && T.text(state).contains("✗ Invalid code."))
    }

    @Test func longRefusalsWrapSoTheFingerprintIsReadableAndEverySizeStaysInBounds() throws {
        var state = Self.loginScreen(rows: 30, columns: 100)
        _ = try Self.submitted(&state)
        let pin = String(repeating: "0123456789abcdef", count: 4)
        _ = state.reduce(.loginFailed("The server's certificate is not trusted by this computer (self-signed or from an unknown authority) — "
                                      + "pin this certificate by putting its SHA-256 fingerprint in Trust: \(pin) (check it first).", field: .trust))
        #expect(T.text(state).contains(pin))
        state.loginForm.url = String(repeating: "https://a-very-long-host-name.example.org/", count: 4)
        for (rows, columns) in [(30, 100), (24, 80), (10, 40), (5, 20), (3, 10), (1, 1)] {
            _ = state.reduce(.resize(rows: rows, columns: columns))
            let frame = Renderer.frame(state)
            #expect(frame.lines.count == rows)
            #expect(frame.lines.allSatisfy { DisplayWidth.of($0.text) <= columns }, "\(rows)×\(columns)")
            if let cursor = frame.cursor { #expect(cursor.row < rows && cursor.column < max(columns, 1)) }
        }
        // A long URL shows its end while it is typed.
        _ = state.reduce(.resize(rows: 24, columns: 60))
        state.loginForm.focus = .url
        let urlRow = try #require(T.text(state).split(separator: "\n").first { $0.hasPrefix(" URL:") })
        #expect(urlRow.hasPrefix(" URL:       …") && urlRow.hasSuffix("example.org/ ") && DisplayWidth.of(urlRow) <= 60, "\(urlRow)")
    }

    @Test func aPlainHTTPLoginWarnsOnTheFormAndTheStatusBarSaysPlainHTTP() throws {
        var state = Self.loginScreen()
        _ = try Self.submitted(&state, url: "http://192.168.1.5:4000")
        _ = state.reduce(.loginWarning(LoginURL.plainHTTPWarning))
        #expect(T.text(state).contains("Warning: this server is reached over http://"))
        _ = state.reduce(.loginSessionOpened(serverName: "192.168.1.5", url: "http://192.168.1.5:4000"))
        _ = state.reduce(.connection(Self.directOnly(.direct, url: "http://192.168.1.5:4000")))
        let bar = try #require(Renderer.frame(state).lines.last)
        #expect(bar.spans.first == Span(" DIRECT ", .barDirect))
        #expect(bar.text.contains("direct http://192.168.1.5:4000 · plain HTTP"), "\(bar.text)")
        _ = T.keys(&state, .character("c"))
        let overlay = T.text(state)
        #expect(overlay.contains("Server  http://192.168.1.5:4000 · plain HTTP"))
        #expect(overlay.contains("none — logged in by URL, this server is reached directly only"))
    }

    @Test func anHTTPSLoginServerShowsItsURLAndTheRefusalWhileItRefuses() throws {
        var state = Self.loginScreen()
        _ = state.reduce(.loginSessionOpened(serverName: "Home", url: "https://media.example.org:8443"))
        _ = state.reduce(.connection(Self.directOnly(.direct, url: "https://media.example.org:8443")))
        var bar = try #require(Renderer.frame(state).lines.last).text
        #expect(bar.contains(" DIRECT  direct https://media.example.org:8443") && !bar.contains("plain HTTP") && !bar.contains("relay"))
        var offline = Self.directOnly(.offline, url: "https://media.example.org:8443")
        offline.directRefusal = "The server no longer accepts this login — log in again."
        _ = state.reduce(.connection(offline))
        bar = try #require(Renderer.frame(state).lines.last).text
        #expect(bar.contains(" OFFLINE  The server no longer accepts this login — log in again."), "\(bar)")
        _ = T.keys(&state, .character("c"))
        #expect(T.text(state).contains("✗ The server no longer accepts this login"))
        // Devices: the server is named by its URL, and no row is marked as this device (the
        // server's id for a login device is not known to the client).
        _ = T.keys(&state, .escape, .character("4"))
        let devices = try SyntheticCatalog.decode([Device].self, [
            ["id": "d1", "deviceName": "laptop", "platform": "linux", "createdAt": "2026-11-01T10:00:00Z",
             "lastSeenAt": "2026-11-22T08:00:00Z", "isRevoked": false, "online": true],
        ])
        _ = state.reduce(.loaded(.devices(devices)))
        let text = T.text(state)
        #expect(text.contains("Server: Home · https://media.example.org:8443") && text.contains("laptop [linux]"))
        #expect(!text.contains("this device"))
    }

    static func directOnly(_ state: ConnectionState, url: String) -> ConnectionSnapshot {
        var direct = PathStatistics()
        direct.isUp = state == .direct
        direct.roundTripTime = .milliseconds(4)
        let base = URL(string: url)!
        var snapshot = ConnectionSnapshot(
            state: state, activePath: state == .direct ? .direct : nil, directURL: state == .direct ? base : nil,
            relay: PathStatistics(), direct: direct,
            candidates: [CandidateStatus(url: base, discovered: false, lastResult: state == .direct ? .ok(rtt: .milliseconds(4)) : nil,
                                         lastProbedAt: .seconds(8), heldOffUntil: nil)],
            nextProbeAt: nil, probeBackoffStep: 0, nextRelayAttemptAt: nil,
            transitions: [ConnectionTransition(from: .connecting, to: state, reason: "probe", at: .seconds(1), date: Date())],
            takenAt: .seconds(10))
        snapshot.isDirectOnly = true
        return snapshot
    }
}

/// `SecretInput`: copies are independent, a wipe does not reach a copy handed on, nothing prints it.
@Suite struct SecretInputTests {
    @Test func copiesAreIndependentAndAWipeLeavesTheHandedOnCopy() {
        var a = SecretInput()
        for c in "pässword" { a.append(c) }
        var b = a
        b.append("!")
        #expect(a.revealedString() == "pässword" && b.revealedString() == "pässword!")
        let handedOn = a
        a.wipe()
        #expect(a.isEmpty && a.revealedString().isEmpty)
        #expect(handedOn.revealedString() == "pässword" && handedOn.count == 8)
        #expect(handedOn != a && handedOn == { var c = SecretInput(); for ch in "pässword" { c.append(ch) }; return c }())
        #expect("\(handedOn)" == "<secret, 8 characters>" && String(reflecting: handedOn) == "<secret, 8 characters>")
        var mirror = ""
        dump(handedOn, to: &mirror)
        #expect(!mirror.contains("pässword"))
    }

    @Test func aLongSecretGrowsWithoutLosingCharacters() {
        var s = SecretInput()
        let text = String(repeating: "correct horse battery staple 東京 ", count: 10)
        for c in text { s.append(c) }
        #expect(s.revealedString() == text && s.count == text.count)
        for _ in 0..<3 { s.removeLast() }
        #expect(s.revealedString() == String(text.dropLast(3)))
        s.wipe()
        #expect(s.isEmpty)
    }
}
