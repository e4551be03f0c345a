import Foundation
import Logging
import MydiaAPI
import MydiaConnection
import MydiaTestSupport
import Synchronization
import Testing
@testable import MydiaTUI

/// The login effect for real, in process: the reducer and the `EffectRunner` wired the way `TUIApp`
/// wires them (without a terminal), against a fake stock Mydia server on loopback — plain HTTP and
/// TLS from a test CA. The second factor is typed into the form while the login waits for it; what
/// is stored, and what is not, is read back from the credentials directory.
@Suite(.serialized, .timeLimit(.minutes(2))) struct LoginEffectTests {
    /// The app's event loop without the terminal: events reduce the state, effects go to the runner.
    final class Loop: Sendable {
        let state: Mutex<AppState>
        let runner: EffectRunner
        let store: CredentialStore
        let dir: String
        private let post: AsyncStream<AppEvent>.Continuation
        private let pump: Mutex<Task<Void, Never>?> = Mutex(nil)

        init() throws {
            dir = NSTemporaryDirectory() + "mydia-tui-login-\(UUID().uuidString)"
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            store = try CredentialStore(directory: URL(fileURLWithPath: dir + "/config"), logger: logger)
            let (events, post) = AsyncStream<AppEvent>.makeStream()
            self.post = post
            runner = EffectRunner(store: store, playback: nil, cache: CatalogCache(directory: URL(fileURLWithPath: dir + "/cache")),
                                  deviceName: "test", logger: logger, post: post)
            var initial = AppState(rows: 30, columns: 120, paired: false)
            _ = initial.reduce(.key(.control("l")))
            state = Mutex(initial)
            let task = Task { [weak self] in
                for await event in events { self?.apply(event) }
            }
            pump.withLock { $0 = task }
        }

        func apply(_ event: AppEvent) {
            let (effects, after) = state.withLock { s in (s.reduce(event), s) }
            for effect in effects { runner.run(effect, state: after) }
        }

        func type(_ text: String) { for c in text { apply(.key(.character(c))) } }
        func keys(_ keys: Key...) { for k in keys { apply(.key(k)) } }
        var snapshot: AppState { state.withLock { $0 } }
        var screen: String { Renderer.frame(snapshot).text }

        /// Fills the form (Tab between fields) and presses Enter.
        func login(url: String, user: String = "alice", password: String, trust: String = "") {
            state.withLock { s in
                s.loginForm.url = ""
                s.loginForm.user = ""
                s.loginForm.trust = ""
                s.loginForm.focus = .url
            }
            type(url)
            keys(.tab)
            type(user)
            keys(.tab)
            type(password)
            keys(.tab)
            type(trust)
            keys(.enter)
        }

        @discardableResult
        func waitFor(_ what: String, timeout: Duration = .seconds(20), _ predicate: (AppState) -> Bool) async throws -> AppState {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                let s = snapshot
                if predicate(s) { return s }
                try await Task.sleep(for: .milliseconds(20))
            }
            Issue.record("timed out waiting for \(what); screen:\n\(screen)")
            throw TimeoutError(what: what)
        }

        func close() async {
            await runner.shutdown(catalog: snapshot.catalog)
            post.finish()
            pump.withLock { $0?.cancel() }
            try? FileManager.default.removeItem(atPath: dir)
        }

        var loginsFile: String? { try? String(contentsOfFile: dir + "/config/logins.json", encoding: .utf8) }
    }

    @Test func aPlainHTTPLoginWarnsAsksForTheCodeOnScreenAndOpensTheServerDirect() async throws {
        let stock = FakeStockMydia(.init(totp: true))
        let server = try await TestHTTPServer.start { await stock.respond($0) }
        let loop = try Loop()
        defer { server.close() }
        let url = "http://127.0.0.1:\(server.port)"

        loop.login(url: url, password: FakeStockMydia.password)
        var state = try await loop.waitFor("the code step") { $0.loginForm.needsCode }
        #expect(state.loginForm.warning == LoginURL.plainHTTPWarning)
        #expect(loop.screen.contains("Warning: this server is reached over http://") && loop.screen.contains("This account needs a second factor"))
        #expect(loop.loginsFile == nil)  // nothing stored before the login fully succeeded
        #expect(!loop.screen.contains(FakeStockMydia.password))

        loop.type(FakeStockMydia.code)
        loop.keys(.enter)
        state = try await loop.waitFor("home") { $0.screen == .home }
        #expect(state.loginURL == url && state.serverName == "127.0.0.1" && state.currentDeviceID == nil)
        let stored = try #require(await loop.store.loginServers.first)
        #expect(stored.baseURL == url && stored.security == .plainHTTP && stored.username == "alice")
        #expect(await loop.store.allServers.count == 1)
        let file = try #require(loop.loginsFile)
        #expect(!file.contains(FakeStockMydia.password) && !file.contains(FakeStockMydia.code))

        // The session is the login server's, direct only: the status bar names the URL and plain HTTP.
        state = try await loop.waitFor("a direct snapshot") { $0.connection?.state == .direct }
        let bar = try #require(Renderer.frame(state).lines.last?.text)
        #expect(bar.contains("DIRECT") && bar.contains("direct \(url) · plain HTTP"), "\(bar)")
        await loop.close()
    }

    @Test func aWrongPasswordStoresNothingAndKeepsTheURLAndUser() async throws {
        let stock = FakeStockMydia()
        let server = try await TestHTTPServer.start { await stock.respond($0) }
        let loop = try Loop()
        defer { server.close() }
        let url = "http://127.0.0.1:\(server.port)"

        loop.login(url: url, password: "not it")
        let state = try await loop.waitFor("the refusal") { $0.loginForm.error != nil && !$0.loginForm.busy }
        #expect(state.loginForm.error == "Invalid username or password.")
        #expect(state.loginForm.url == url && state.loginForm.user == "alice" && state.loginForm.password.isEmpty)
        #expect(state.loginForm.focus == .password && state.screen == .login)
        #expect(loop.loginsFile == nil && stock.issuedCount == 0)
        await loop.close()
    }

    @Test func escAtTheCodeStepEndsTheLoginAndStoresNothing() async throws {
        let stock = FakeStockMydia(.init(totp: true))
        let server = try await TestHTTPServer.start { await stock.respond($0) }
        let loop = try Loop()
        defer { server.close() }
        loop.login(url: "http://127.0.0.1:\(server.port)", password: FakeStockMydia.password)
        try await loop.waitFor("the code step") { $0.loginForm.needsCode }
        loop.keys(.escape)
        let state = try await loop.waitFor("the login's end") { !$0.loginForm.busy && !$0.loginForm.needsCode }
        #expect(state.loginForm.error == "The login was given up — type the password again to retry.")
        #expect(loop.loginsFile == nil && stock.issuedCount == 0)
        await loop.close()
    }

    @Test func anUntrustedCertificateNamesItsFingerprintAndTheTrustFieldFixesIt() async throws {
        let certificates = try TestCertificates()
        let identity = try certificates.leaf("stock", subjectAltNames: ["IP:127.0.0.1", "DNS:localhost"])
        let stock = FakeStockMydia()
        let server = try await TestHTTPServer.start(identity: identity) { await stock.respond($0) }
        let loop = try Loop()
        defer {
            server.close()
            certificates.remove()
        }
        let url = "https://127.0.0.1:\(server.port)"

        // The test CA is not the system's: refused, the fingerprint to pin named, the cursor on Trust.
        loop.login(url: url, password: FakeStockMydia.password)
        var state = try await loop.waitFor("the TLS refusal") { $0.loginForm.error != nil && !$0.loginForm.busy }
        let error = try #require(state.loginForm.error)
        #expect(error.contains("not trusted by this computer") && error.contains(identity.fingerprint) && error.contains("Trust"), "\(error)")
        #expect(state.loginForm.focus == .trust && loop.loginsFile == nil)
        #expect(loop.screen.contains(identity.fingerprint))

        // A CA file that is not there: said in one sentence, nothing sent.
        loop.login(url: url, password: FakeStockMydia.password, trust: "/nonexistent/ca.pem")
        state = try await loop.waitFor("the CA file refusal") { $0.loginForm.error?.contains("cannot be read") == true && !$0.loginForm.busy }
        #expect(state.loginForm.focus == .trust)

        // The CA file: logged in, verified.
        loop.login(url: url, password: FakeStockMydia.password, trust: certificates.caPEMPath)
        state = try await loop.waitFor("home") { $0.screen == .home }
        #expect(await loop.store.loginServers.first?.security == .verified(caPEM: certificates.caPEM))
        await loop.close()

        // The pin, in openssl's colon spelling: logged in, pinned.
        let pinned = try Loop()
        let colons = stride(from: 0, to: 64, by: 2).map { i in
            String(identity.fingerprint.dropFirst(i).prefix(2)).uppercased()
        }.joined(separator: ":")
        pinned.login(url: url, password: FakeStockMydia.password, trust: colons)
        state = try await pinned.waitFor("home") { $0.screen == .home }
        #expect(await pinned.store.loginServers.first?.security == .pinned(sha256: identity.fingerprint))
        let bar = try await pinned.waitFor("a direct snapshot") { $0.connection?.state == .direct }
        #expect(Renderer.frame(bar).lines.last?.text.contains("direct \(url)") == true)
        #expect(Renderer.frame(bar).lines.last?.text.contains("plain HTTP") == false)
        await pinned.close()
    }

    @Test func plainHTTPBeyondTheLocalNetworkIsRefusedWithLoginURLsSentence() async throws {
        let loop = try Loop()
        loop.login(url: "http://8.8.8.8:4000", password: "pw")
        let state = try await loop.waitFor("the refusal") { $0.loginForm.error != nil && !$0.loginForm.busy }
        let expected = LoginURL.Error.plainHTTPNotLocal(host: "8.8.8.8", address: "8.8.8.8").description
        #expect(state.loginForm.error == expected && state.loginForm.focus == .url)
        #expect(state.loginForm.warning == nil && loop.loginsFile == nil)
        await loop.close()
    }
}
