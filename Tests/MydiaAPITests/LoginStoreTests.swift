import Foundation
import Logging
import MydiaAPI
import Testing

/// URL-login servers in the credential store beside paired ones, and the per-install device id
/// (PROTOCOL.md §14.2).
@Suite struct LoginStoreTests {
    static func login(name: String = "media.example.org", url: String = "https://media.example.org", user: String = "alice",
                      security: LoginServer.Security = .verified(caPEM: nil),
                      at time: Date = Date(timeIntervalSince1970: 1_950_000_000)) -> LoginServer {
        LoginServer(name: name, baseURL: url, security: security, username: user, userID: "u-1",
                    deviceID: UUID().uuidString, accessToken: "login-SECRET-\(UUID().uuidString)",
                    accessExpiresAt: time.addingTimeInterval(30 * 86400), generation: .current, loggedInAt: time, lastUsedAt: time)
    }

    static var quiet: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    @Test func aLoginSurvivesReopeningInItsOwnOwnerOnlyFileWithoutThePassword() async throws {
        let dir = CredentialFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try CredentialStore(directory: dir, logger: Self.quiet)
        let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        let saved = try await store.saveLogin(Self.login(security: .verified(caPEM: pem)))
        let pinned = try await store.saveLogin(Self.login(name: "nas", url: "https://10.0.0.2:8443", user: "bob",
                                                          security: .pinned(sha256: String(repeating: "ef", count: 32))))
        let plain = try await store.saveLogin(Self.login(name: "lab", url: "http://127.0.0.1:4000", security: .plainHTTP))
        #expect(try CredentialFixtures.mode(store.loginsFileURL.path) == 0o600)
        #expect(!FileManager.default.fileExists(atPath: store.fileURL.path), "logins do not touch servers.json")
        let text = try String(contentsOf: store.loginsFileURL, encoding: .utf8)
        #expect(!text.lowercased().contains("password"))

        let reopened = try CredentialStore(directory: dir, logger: Self.quiet)
        #expect(await reopened.loginServers == [saved, pinned, plain])
        let loaded = try #require(await reopened.login(id: saved.id))
        #expect(loaded.security == .verified(caPEM: pem) && loaded.accessToken == saved.accessToken && loaded.generation == .current)
        #expect(!loaded.description.contains(saved.accessToken) && loaded.description.contains("<redacted>"))
    }

    @Test func selectionListingAndRemovalCoverBothKinds() async throws {
        let dir = CredentialFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try CredentialStore(directory: dir, logger: Self.quiet)
        let paired = CredentialFixtures.credentials(name: "Wohnzimmer", pairedAt: Date(timeIntervalSince1970: 1_900_000_000))
        try await store.save(paired)
        let login = try await store.saveLogin(Self.login(name: "Office Media"))

        #expect(await store.allServers.map(\.id) == [paired.instanceID, login.id])
        #expect(try await store.selectServer(nil).id == login.id, "the newest of either kind is the default")
        #expect(try await store.selectServer("wohn").kind == .paired)
        #expect(try await store.selectServer("office media").login == login)
        #expect(try await store.selectServer(login.id.uppercased()).id == login.id)
        await #expect(throws: CredentialStore.Error.notFound("nothing")) { _ = try await store.selectServer("nothing") }
        // A name both kinds share is ambiguous until the id is given.
        let twin = try await store.saveLogin(Self.login(name: "Wohnzimmer", url: "https://other.example", user: "carol"))
        await #expect(throws: CredentialStore.Error.self) { _ = try await store.selectServer("Wohnzimmer") }
        #expect(try await store.selectServer(twin.id).kind == .login)

        // Removal (`unpair` / `logout`) works on either kind and sticks.
        #expect(try await store.removeServer(login.id).kind == .login)
        #expect(try await store.removeServer(paired.instanceID).kind == .paired)
        let reopened = try CredentialStore(directory: dir, logger: Self.quiet)
        #expect(await reopened.allServers.map(\.id) == [twin.id])
        #expect(await reopened.all.isEmpty)
    }

    @Test func loggingInAgainAsTheSameUserKeepsTheIdAndUpdatesTheRecord() async throws {
        let dir = CredentialFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try CredentialStore(directory: dir, logger: Self.quiet)
        let first = try await store.saveLogin(Self.login())
        try await store.saveLogin(Self.login(url: "https://media.example.org", user: "dave"))
        let again = try await store.saveLogin(Self.login(user: "ALICE", at: Date(timeIntervalSince1970: 1_960_000_000)))
        #expect(again.id == first.id && again.accessToken != first.accessToken)
        #expect(await store.loginServers.count == 2)
        #expect(try await store.selectServer(nil).id == first.id)
        // The generation and last use are recorded on the entry.
        try await store.updateLogin(id: first.id, generation: .legacy2026_07)
        let touched = try await store.touchLogin(id: first.id, now: Date(timeIntervalSince1970: 1_970_000_000))
        #expect(touched.generation == .legacy2026_07 && touched.lastUsedAt == Date(timeIntervalSince1970: 1_970_000_000))
        let reopened = try CredentialStore(directory: dir, logger: Self.quiet)
        #expect(await reopened.login(id: first.id)?.generation == .legacy2026_07)
    }

    @Test func aDamagedLoginsFileIsReportedNotOverwritten() throws {
        let dir = CredentialFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("logins.json")
        try Data(#"{"version":1,"logins":[{"id":"x"}]}"#.utf8).write(to: file)
        #expect(throws: CredentialStore.Error.corrupt(path: file.path)) { _ = try CredentialStore(directory: dir, logger: Self.quiet) }
        #expect(try String(contentsOf: file, encoding: .utf8).contains(#""id":"x""#))
    }

    @Test func theDeviceIDIsMadeOnceOwnerOnlyAndSharedByEveryStore() async throws {
        let dir = CredentialFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Several stores (as several processes would) ask at the same moment: one id wins everywhere.
        let stores = try (0..<6).map { _ in try CredentialStore(directory: dir, logger: Self.quiet) }
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for store in stores { group.addTask { try await store.installDeviceID() } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        let id = try #require(ids.first)
        #expect(Set(ids).count == 1)
        let uuid = try #require(UUID(uuidString: id))
        #expect(uuid.uuidString.lowercased() == id)
        // Version 4, RFC 4122 variant.
        #expect(Array(id)[14] == "4" && "89ab".contains(Array(id)[19]))
        #expect(try CredentialFixtures.mode(stores[0].deviceIDFileURL.path) == 0o600)
        #expect(try await CredentialStore(directory: dir, logger: Self.quiet).installDeviceID() == id)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["device-id"])

        try Data("garbage\n".utf8).write(to: stores[0].deviceIDFileURL)
        await #expect(throws: CredentialStore.Error.corrupt(path: stores[0].deviceIDFileURL.path)) {
            _ = try await stores[0].installDeviceID()
        }
    }
}
