import Foundation
import GRDB
import MydiaCrypto
@testable import MydiaLibrary
import Testing

/// Local users in SQLite (PROTOCOL.md §14.3): names unique in any case, only hashes stored, and
/// the `v4-users` migration keeps what an older database holds.
@Suite struct UserStoreTests {
    @Test func namesAreUniqueInAnyCaseAndFoundInAnyCase() async throws {
        let f = try LoginFixture()
        let added = try await f.add("Alice.Smith@home")
        #expect(added.totp == nil && added.recoveryCodes.isEmpty && !added.user.totpEnabled)
        #expect(try await f.users.find(username: "alice.smith@HOME") == added.user)
        await #expect(throws: UserStore.Error.usernameTaken("ALICE.SMITH@HOME")) { try await f.add("ALICE.SMITH@HOME") }
        #expect(try await f.users.list().map(\.user.username) == ["Alice.Smith@home"])
    }

    @Test func badNamesAreRefusedAndThePasswordIsWipedAnyway() async throws {
        let f = try LoginFixture()
        for name in ["", "-dash", ".dot", "with space", "tab\t", "ümlaut", String(repeating: "a", count: 65), "a/b", "a\u{1b}[2J"] {
            var password = Array("pw".utf8)
            await #expect(throws: UserStore.Error.invalidUsername, "\(name)") {
                try await f.users.add(username: name, password: &password, withTOTP: false)
            }
            #expect(password == [0, 0])
        }
        #expect(UserStore.isValidUsername(String(repeating: "a", count: 64)))
        var empty = [UInt8]()
        await #expect(throws: UserStore.Error.password(.empty)) { try await f.users.add(username: "ok", password: &empty, withTOTP: false) }
        await #expect(throws: UserStore.Error.unknownUser("nobody")) { try await f.users.remove(username: "nobody") }
        #expect(try await f.users.list().isEmpty)
    }

    @Test func onlyHashesAndTheTOTPSecretAreStored() async throws {
        let f = try LoginFixture()
        let added = try await f.add("quinn", totp: true)
        let row = try #require(try f.database.queue.read { db in try Row.fetchOne(db, sql: "SELECT * FROM users") })
        let hash: String = row["password_hash"]
        #expect(hash.hasPrefix("$argon2id$"))
        #expect(PasswordHash.verify("secret-pw", against: hash))
        #expect((row["totp_secret"] as Data?).map(Array.init) == added.totp?.secret)
        let file = try Data(contentsOf: f.state.appendingPathComponent("mydia.sqlite"))
        #expect(file.range(of: Data("secret-pw".utf8)) == nil)
    }

    @Test func migratingAnOlderDatabaseKeepsPairedDevicesWorking() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mydia-migrate-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        let path = dir.appendingPathComponent("mydia.sqlite").path
        // A device paired before the upgrade, with an access token, as the v2 schema held them.
        let key = [UInt8](repeating: 9, count: 32)
        let deviceToken = "0f0e0d0c-0000-4000-8000-000000000001.token", access = "access-token"
        do {
            let old = try DatabaseQueue(path: path, configuration: configuration)
            try LibraryDatabase.migrator.migrate(old, upTo: "v2-tokens-by-expiry")
            try await old.write { db in
                try db.execute(sql: """
                    INSERT INTO devices (device_id, device_name, platform, public_key, token_hash, created_at, last_seen_at, revoked)
                    VALUES ('0f0e0d0c-0000-4000-8000-000000000001', 'Old', 'linux', ?, ?, 0, 0, 0)
                    """, arguments: [Data(key), Data(SHA256.hash(Array(deviceToken.utf8)))])
                try db.execute(sql: "INSERT INTO tokens (token_hash, kind, device_id, expires_at) VALUES (?, 'access', ?, ?)",
                               arguments: [Data(SHA256.hash(Array(access.utf8))), "0f0e0d0c-0000-4000-8000-000000000001",
                                           Date().timeIntervalSince1970 + 3600])
            }
            try old.close()
        }
        let upgraded = try LibraryDatabase(stateDirectory: dir)
        let applied = try await upgraded.queue.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(applied.last == "v4-users")
        let devices = DeviceStore(database: upgraded)
        let paired = try await devices.validate(access, kind: .access)
        #expect(paired.userID == nil && paired.clientDeviceID == nil && !paired.isLoginDevice)
        #expect(try await devices.authenticateReconnect(deviceID: paired.id, staticKey: key, deviceToken: deviceToken).id == paired.id)
    }
}
