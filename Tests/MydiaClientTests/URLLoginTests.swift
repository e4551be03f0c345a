import Foundation
import Logging
import MydiaAPI
import MydiaClient
import MydiaConnection
import MydiaTestSupport
import MydiaTransport
import Testing

/// URL login against a fake stock server over real TLS (PROTOCOL.md §14.2): the flow, what is
/// stored, and a session that goes direct with the Bearer on every request.
@Suite(.serialized, .timeLimit(.minutes(2))) struct URLLoginTests {
    static var quiet: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    /// A fake stock server on TLS from a test CA, and a fresh config directory.
    struct Lab {
        let certificates: TestCertificates
        let identity: TestCertificates.Identity
        let stock: FakeStockMydia
        let server: TestHTTPServer
        let store: CredentialStore
        let dir: String

        init(_ settings: FakeStockMydia.Settings = .init(), tls: Bool = true) async throws {
            certificates = try TestCertificates()
            identity = try certificates.leaf("stock", subjectAltNames: ["IP:127.0.0.1", "DNS:localhost"])
            let stock = FakeStockMydia(settings)
            self.stock = stock
            server = try await TestHTTPServer.start(identity: tls ? identity : nil) { await stock.respond($0) }
            dir = NSTemporaryDirectory() + "mydia-url-login-\(UUID().uuidString)"
            store = try CredentialStore(directory: URL(fileURLWithPath: dir), logger: URLLoginTests.quiet)
        }

        var url: String { "https://127.0.0.1:\(server.port)" }

        func request(password: String = FakeStockMydia.password, security: LoginServer.Security? = nil, name: String? = "Office") throws -> URLLogin.Request {
            URLLogin.Request(url: try LoginURL(url), security: security ?? .verified(caPEM: certificates.caPEM), username: "alice",
                             password: password, name: name, deviceName: "test-host")
        }

        func graphQL(_ name: String) -> [TestHTTPRequest] {
            server.requests.filter { request in
                (try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])?["operationName"] as? String == name
            }
        }

        func close() {
            server.close()
            certificates.remove()
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    static let whoami = GraphQLOperation<String>(name: "Whoami", rootField: "whoami", document: "query Whoami { whoami }")

    @Test func aTOTPLoginIsStoredAndItsSessionGoesDirectWithTheBearerOnEveryRequest() async throws {
        let lab = try await Lab(.init(totp: true))
        defer { lab.close() }
        let steps = StepLog()
        let login = try await URLLogin.login(try lab.request(), store: lab.store, logger: Self.quiet,
                                             code: { FakeStockMydia.code }, progress: { steps.append($0) })
        #expect(steps.all == [.checkingServer, .signingIn, .secondFactor])
        #expect(login.name == "Office" && login.baseURL == lab.url && login.username == "alice" && login.userID == "42")
        #expect(login.generation == .current && login.accessToken.hasPrefix("stock-token-1-"))
        #expect(login.deviceID == (try await lab.store.installDeviceID()))
        let expiry = try #require(login.accessExpiresAt)
        #expect(abs(expiry.timeIntervalSince(login.loggedInAt) - 2_592_000) < 1)
        #expect(await lab.store.loginServers == [login])
        let file = try String(contentsOfFile: lab.dir + "/logins.json", encoding: .utf8)
        #expect(!file.contains(FakeStockMydia.password) && !file.contains(FakeStockMydia.code))

        // What went over the wire: no bearer before there is one; the login's input as §14.2.2 says.
        #expect(lab.graphQL("ServerCompatibility").first?.headers["authorization"] == nil)
        let sent = try #require(lab.graphQL("Login").first)
        let variables = try #require((try JSONSerialization.jsonObject(with: Data(sent.body)) as? [String: Any])?["variables"] as? [String: Any])
        #expect(variables["deviceId"] as? String == login.deviceID && variables["deviceName"] as? String == "test-host")
        #expect(lab.graphQL("VerifyTotp").count == 1)

        // The session: direct only, probed with the token, every request carries it — media too.
        let session = try await ClientSession.open(store: lab.store, selection: "office", logger: Self.quiet)
        defer { Task { await session.close() } }
        #expect(session.server.kind == .login && session.credentials == nil)
        #expect(try await session.api.perform(Self.whoami) == "alice")
        let snapshot = await session.manager.snapshot()
        #expect(snapshot.state == .direct && snapshot.isDirectOnly && snapshot.directURL?.absoluteString == lab.url)
        let media = try await session.manager.send(PathRequest(method: "GET", path: "/api/v1/stream/file/9"))
        var bytes = 0
        for try await chunk in media.body { bytes += chunk.count }
        #expect(media.status == 200 && bytes == 1000)
        let after = lab.server.requests.filter { $0.headers["authorization"] != nil || $0.uri.hasPrefix("/api/v1/stream") }
        #expect(after.count >= 3 && after.allSatisfy { $0.headers["authorization"] == "Bearer \(login.accessToken)" })
        #expect(!lab.server.requests.contains { $0.uri.contains(login.accessToken) }, "never a token in a URL")
        await session.close()
    }

    @Test func refusalsCarryTheServersTextAndStoreNothing() async throws {
        let lab = try await Lab(.init(totp: true))
        defer { lab.close() }
        await #expect(throws: URLLogin.Error.refused("Invalid username or password")) {
            _ = try await URLLogin.login(try lab.request(password: "wrong"), store: lab.store, logger: Self.quiet, code: { "" })
        }
        await #expect(throws: URLLogin.Error.refused("Invalid code")) {
            _ = try await URLLogin.login(try lab.request(), store: lab.store, logger: Self.quiet, code: { "000000" })
        }
        #expect(await lab.store.loginServers.isEmpty)
        #expect(URLLogin.Error.refused("Invalid code").description == "Invalid code.")

        lab.stock.setPlayerDisabled(true)
        let before = lab.graphQL("Login").count
        await #expect(throws: URLLogin.Error.playerDisabled("The player is turned off on this server")) {
            _ = try await URLLogin.login(try lab.request(), store: lab.store, logger: Self.quiet, code: { FakeStockMydia.code })
        }
        #expect(lab.graphQL("Login").count == before, "the password is not sent to a server with the player off")
        #expect(await lab.store.loginServers.isEmpty)
    }

    @Test func anOlderServerIsLoggedInWithTheOlderDocumentAndRemembersIt() async throws {
        let lab = try await Lab(.init(olderGeneration: true))
        defer { lab.close() }
        let login = try await URLLogin.login(try lab.request(name: nil), store: lab.store, logger: Self.quiet, code: { "" })
        #expect(login.generation == .legacy2026_07 && login.name == "127.0.0.1")
        let sent = lab.graphQL("Login")
        #expect(sent.count == 1 && !sent[0].text.contains("totpRequired"), "straight to the older form: serverCompatibility told")
        let session = try await ClientSession.open(store: lab.store, selection: nil, logger: Self.quiet)
        #expect(await session.api.generation == .legacy2026_07)
        await session.close()
    }

    @Test func anUntrustedCertificateIsRefusedBeforeAnythingIsSentAndNamesTheFix() async throws {
        let lab = try await Lab()
        defer { lab.close() }
        let error = await #expect(throws: DirectClient.Error.self) {
            _ = try await URLLogin.login(try lab.request(security: .verified(caPEM: nil)), store: lab.store, logger: Self.quiet, code: { "" })
        }
        #expect(error == .untrustedCertificate(presented: lab.identity.fingerprint))
        let stored = await lab.store.loginServers
        #expect(lab.server.requests.isEmpty && stored.isEmpty)
        // Pinning the certificate printed in the message works.
        let pinned = try await URLLogin.login(try lab.request(security: .pinned(sha256: lab.identity.fingerprint)), store: lab.store,
                                              logger: Self.quiet, code: { "" })
        #expect(pinned.security == .pinned(sha256: lab.identity.fingerprint))
        let session = try await ClientSession.open(store: lab.store, selection: "Office", logger: Self.quiet)
        #expect(try await session.api.perform(Self.whoami) == "alice")
        await session.close()
    }

    @Test func aRevokedTokenMeansLogInAgainNotARefresh() async throws {
        let lab = try await Lab()
        defer { lab.close() }
        _ = try await URLLogin.login(try lab.request(), store: lab.store, logger: Self.quiet, code: { "" })
        let live = try await ClientSession.open(store: lab.store, selection: nil, logger: Self.quiet)
        #expect(try await live.api.perform(Self.whoami) == "alice")
        lab.stock.revokeAll()
        await #expect(throws: APIClient.Error.loginExpired) { _ = try await live.api.perform(Self.whoami) }
        await live.close()
        #expect(lab.stock.issuedCount == 1, "no refresh was attempted")

        // A new session: the first probe round already says so, and requests fail with it.
        let later = try await ClientSession.open(store: lab.store, selection: nil, logger: Self.quiet)
        let error = await #expect(throws: ConnectionManager.Error.self) { _ = try await later.api.perform(Self.whoami) }
        guard case .directUnavailable(.refused(let refusal))? = error else {
            Issue.record("expected the probe's refusal, got \(String(describing: error))")
            await later.close()
            return
        }
        #expect(refusal.reason == .credentialsRejected && refusal.message == APIClient.Error.loginExpired.description)
        let snapshot = await later.manager.snapshot()
        #expect(snapshot.state == .offline && snapshot.directRefusal == refusal.message)
        await later.close()
    }

    @Test func plainHTTPToLoopbackWorks() async throws {
        let lab = try await Lab(tls: false)
        defer { lab.close() }
        let request = URLLogin.Request(url: try LoginURL("http://127.0.0.1:\(lab.server.port)"), security: .plainHTTP, username: "alice",
                                       password: FakeStockMydia.password, name: "lab", deviceName: "test-host")
        let login = try await URLLogin.login(request, store: lab.store, logger: Self.quiet, code: { "" })
        #expect(login.security == .plainHTTP && login.baseURL.hasPrefix("http://127.0.0.1:"))
        let session = try await ClientSession.open(store: lab.store, selection: "lab", logger: Self.quiet)
        #expect(try await session.api.perform(Self.whoami) == "alice")
        await session.close()
        // A TLS mode with an http:// URL (or the reverse) is refused before anything is sent.
        await #expect(throws: LoginURL.Error.self) {
            _ = try await URLLogin.login(URLLogin.Request(url: try LoginURL("http://127.0.0.1:\(lab.server.port)"), security: .verified(caPEM: nil),
                                                          username: "alice", password: "x", name: nil, deviceName: "h"),
                                         store: lab.store, logger: Self.quiet, code: { "" })
        }
    }
}

/// Login steps seen, in order.
final class StepLog: Sendable {
    private let steps = Box<[URLLogin.Step]>([])
    func append(_ step: URLLogin.Step) { steps.withLock { $0.append(step) } }
    var all: [URLLogin.Step] { steps.withLock { $0 } }
}
