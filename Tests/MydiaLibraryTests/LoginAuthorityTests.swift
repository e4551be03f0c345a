import Foundation
import GRDB
import MydiaCrypto
@testable import MydiaLibrary
import Testing

/// URL login on the reference server (PROTOCOL.md §14.2.2–§14.2.4, §14.3), on a real SQLite file
/// and real Argon2id hashes; only the clock is the test's.
@Suite struct LoginAuthorityTests {
    static let deviceID = "6F9619FF-8B86-4011-B42D-00C04FC964FF"

    @Test func passwordLoginIssuesAnAccessTokenTheBearerCheckAccepts() async throws {
        let f = try LoginFixture()
        let alice = try await f.add("Alice")
        let outcome = await f.authority.login(username: "alice", password: "secret-pw", deviceID: Self.deviceID,
                                              deviceName: "Laptop\u{1b}[2J", platform: "linux", clientAddress: "10.0.0.2")
        guard case .success(let grant) = outcome else { Issue.record("expected success, got \(outcome)"); return }
        #expect(grant.expiresIn == 30 * 24 * 3600)
        #expect(grant.user == LoginUser(id: alice.user.id, username: "Alice"))
        let device = try await f.devices.validate(grant.token, kind: .access)
        #expect(device.id == grant.deviceID)
        #expect(device.userID == alice.user.id)
        #expect(device.clientDeviceID == Self.deviceID.lowercased())
        #expect(device.name == "Laptop[2J" && device.platform == "linux")
        #expect(device.publicKey.isEmpty && device.isLoginDevice)
        // Not a media token, and a login device has neither a Noise key nor a device token.
        await #expect(throws: DeviceStore.Error.tokenInvalid) { try await f.devices.validate(grant.token, kind: .media) }
        await #expect(throws: DeviceStore.Error.keyMismatch) {
            try await f.devices.authenticateReconnect(deviceID: device.id, staticKey: [UInt8](repeating: 0, count: 32), deviceToken: device.id + ".")
        }
        await #expect(throws: DeviceStore.Error.tokenMismatch) { try await f.devices.refreshAccessToken(deviceToken: device.id + ".") }
    }

    @Test func unknownUserAndWrongPasswordGetTheSameTextAndTakeSimilarTime() async throws {
        let f = try LoginFixture()
        _ = try await f.add("alice")
        var unknown: [Duration] = [], wrong: [Duration] = []
        for round in 0..<4 {
            let clock = ContinuousClock()
            var a: LoginOutcome?, b: LoginOutcome?
            let tu = await clock.measure {
                a = await f.authority.login(username: "mallory", password: "secret-pw", deviceID: Self.deviceID,
                                            deviceName: "x", platform: "linux", clientAddress: "10.0.1.\(round)")
            }
            let tw = await clock.measure {
                b = await f.authority.login(username: "alice", password: "wrong-pw", deviceID: Self.deviceID,
                                            deviceName: "x", platform: "linux", clientAddress: "10.0.2.\(round)")
            }
            #expect(a == .refused(.invalidCredentials) && b == .refused(.invalidCredentials))
            unknown.append(tu)
            wrong.append(tw)
        }
        #expect(LoginRefusal.invalidCredentials.message == "Invalid username or password")
        // Both pay one Argon2id verification: without the stand-in hash an unknown name would
        // answer in well under a millisecond against tens of milliseconds. Parallel tests queue
        // for the one hashing thread and can slow either side, so the best round's ratio counts.
        let ratios = zip(unknown, wrong).map { $0 / $1 }
        #expect(ratios.contains { $0 > 0.5 }, "unknown \(unknown), wrong password \(wrong)")
        #expect(await f.authority.passwordChecks == 8)
    }

    @Test func totpAccountNeedsACodeComputedFromItsSecret() async throws {
        let f = try LoginFixture()
        let bob = try await f.add("bob", totp: true)
        let totp = try #require(bob.totp)
        let challenge = try await f.challenge("bob")
        #expect(await f.authority.pendingChallenges == 1)
        let code = try #require(totp.code(at: f.clock.now()))
        let outcome = await f.authority.verifyTotp(challengeToken: challenge, code: code, clientAddress: "10.0.0.2")
        guard case .success(let grant) = outcome else { Issue.record("expected success, got \(outcome)"); return }
        #expect(grant.user.username == "bob")
        #expect(try await f.devices.validate(grant.token, kind: .access).userID == bob.user.id)
        // The challenge signed in once; the same code does not sign in twice either.
        #expect(await f.authority.verifyTotp(challengeToken: challenge, code: code, clientAddress: "10.0.0.2")
            == .refused(.challengeExpired))
        let again = try await f.challenge("bob")
        #expect(await f.authority.verifyTotp(challengeToken: again, code: code, clientAddress: "10.0.0.2") == .refused(.invalidCode))
        // The challenge outlives a wrong code: the next step's code signs in with it.
        f.clock.advance(30)
        let next = try #require(totp.code(at: f.clock.now()))
        #expect(next != code)
        guard case .success = await f.authority.verifyTotp(challengeToken: again, code: next, clientAddress: "10.0.0.2") else {
            Issue.record("the next step's code was refused"); return
        }
    }

    @Test func wrongCodeIsInvalidCodeAndTheChallengeDiesAfterThree() async throws {
        let f = try LoginFixture()
        let carol = try await f.add("carol", totp: true)
        let totp = try #require(carol.totp)
        let challenge = try await f.challenge("carol")
        let right = try #require(totp.code(at: f.clock.now()))
        let wrong = String((try #require(Int(right)) + 1) % 1_000_000).leftPadded(6)
        for _ in 0..<3 {
            #expect(await f.authority.verifyTotp(challengeToken: challenge, code: wrong, clientAddress: "10.0.0.2") == .refused(.invalidCode))
        }
        #expect(LoginRefusal.invalidCode.message == "Invalid code")
        #expect(await f.authority.verifyTotp(challengeToken: challenge, code: right, clientAddress: "10.0.0.2") == .refused(.challengeExpired))
        #expect(await f.authority.verifyTotp(challengeToken: "made-up", code: right, clientAddress: "10.0.0.2") == .refused(.challengeExpired))
    }

    @Test func challengeExpiresAfter300Seconds() async throws {
        let f = try LoginFixture()
        let dave = try await f.add("dave", totp: true)
        let totp = try #require(dave.totp)
        let challenge = try await f.challenge("dave")
        f.clock.advance(301)
        let code = try #require(totp.code(at: f.clock.now()))
        #expect(await f.authority.verifyTotp(challengeToken: challenge, code: code, clientAddress: "10.0.0.2")
            == .refused(.challengeExpired))
        #expect(LoginRefusal.challengeExpired.message == "Sign-in expired, please try again")
        // 299 s is still in time.
        let fresh = try await f.challenge("dave")
        f.clock.advance(299)
        let later = try #require(totp.code(at: f.clock.now()))
        guard case .success = await f.authority.verifyTotp(challengeToken: fresh, code: later, clientAddress: "10.0.0.2") else {
            Issue.record("a challenge 299 s old was refused"); return
        }
    }

    @Test func sixthTryIsRefusedByTheRateLimitWithoutCheckingThePassword() async throws {
        let f = try LoginFixture()
        _ = try await f.add("erin")
        for _ in 0..<5 {
            #expect(await f.login("erin", "bad", from: "10.0.0.9") == .refused(.invalidCredentials))
        }
        // The right password no longer helps from this address for this name …
        #expect(await f.login("ERIN", "secret-pw", from: "10.0.0.9") == .refused(.rateLimited))
        #expect(LoginRefusal.rateLimited.message == "Too many login attempts. Please try again later.")
        // … but another address, or another name from this address, is not limited.
        guard case .success = await f.login("erin", "secret-pw", from: "10.0.0.10") else {
            Issue.record("another address was limited"); return
        }
        #expect(await f.login("frank", "bad", from: "10.0.0.9") == .refused(.invalidCredentials))
        // Refused tries do not extend the lockout: 15 minutes after the failures it lifts.
        f.clock.advance(14 * 60)
        #expect(await f.login("erin", "secret-pw", from: "10.0.0.9") == .refused(.rateLimited))
        f.clock.advance(61)
        guard case .success = await f.login("erin", "secret-pw", from: "10.0.0.9") else {
            Issue.record("the limit did not lift after 15 minutes"); return
        }
    }

    @Test func parallelTriesCannotSlipPastTheLimit() async throws {
        let f = try LoginFixture()
        _ = try await f.add("gina")
        let outcomes = await withTaskGroup(of: LoginOutcome.self) { group in
            for _ in 0..<8 { group.addTask { await f.login("gina", "bad", from: "10.0.0.7") } }
            return await group.reduce(into: [LoginOutcome]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == .refused(.invalidCredentials) }.count == 5)
        #expect(outcomes.filter { $0 == .refused(.rateLimited) }.count == 3)
    }

    @Test func wrongCodesCountAsFailures() async throws {
        let f = try LoginFixture()
        let hal = try await f.add("hal", totp: true)
        let totp = try #require(hal.totp)
        let right = try #require(totp.code(at: f.clock.now()))
        let wrong = String((try #require(Int(right)) + 500_000) % 1_000_000).leftPadded(6)
        let first = try await f.challenge("hal", from: "10.0.0.5")
        for _ in 0..<3 { _ = await f.authority.verifyTotp(challengeToken: first, code: wrong, clientAddress: "10.0.0.5") }
        let second = try await f.challenge("hal", from: "10.0.0.5")
        for _ in 0..<2 {
            #expect(await f.authority.verifyTotp(challengeToken: second, code: wrong, clientAddress: "10.0.0.5") == .refused(.invalidCode))
        }
        // Five wrong codes: the right code and the right password are both refused now.
        #expect(await f.authority.verifyTotp(challengeToken: second, code: right, clientAddress: "10.0.0.5") == .refused(.rateLimited))
        #expect(await f.login("hal", "secret-pw", from: "10.0.0.5") == .refused(.rateLimited))
    }

    @Test func recoveryCodeWorksOnce() async throws {
        let f = try LoginFixture()
        let ivy = try await f.add("ivy", totp: true)
        #expect(ivy.recoveryCodes.count == UserStore.recoveryCodeCount)
        #expect(Set(ivy.recoveryCodes).count == ivy.recoveryCodes.count)
        let code = ivy.recoveryCodes[3]
        #expect(code.count == 19 && code.split(separator: "-").count == 4)
        let challenge = try await f.challenge("ivy")
        guard case .success = await f.authority.verifyTotp(challengeToken: challenge, code: code.uppercased(), clientAddress: "10.0.0.2") else {
            Issue.record("the recovery code was refused"); return
        }
        let again = try await f.challenge("ivy")
        #expect(await f.authority.verifyTotp(challengeToken: again, code: code, clientAddress: "10.0.0.2") == .refused(.invalidCode))
        guard case .success = await f.authority.verifyTotp(challengeToken: again, code: ivy.recoveryCodes[4], clientAddress: "10.0.0.2") else {
            Issue.record("another recovery code was refused"); return
        }
        // Only hashes are stored.
        let stored = try await f.database.queue.read { db in try Data.fetchAll(db, sql: "SELECT code_hash FROM recovery_codes") }
        #expect(stored.count == UserStore.recoveryCodeCount - 2)
        let file = try Data(contentsOf: f.state.appendingPathComponent("mydia.sqlite"))
        for code in ivy.recoveryCodes { #expect(file.range(of: Data(code.utf8)) == nil) }
    }

    @Test func accessTokenIsStoredOnlyAsItsHash() async throws {
        let f = try LoginFixture()
        _ = try await f.add("jack")
        guard case .success(let grant) = await f.login("jack", "secret-pw") else { Issue.record("login failed"); return }
        let rows = try f.database.queue.read { db in
            try Row.fetchAll(db, sql: "SELECT token_hash, kind, device_id, expires_at FROM tokens")
        }
        #expect(rows.count == 1)
        #expect((rows.first?["token_hash"] as Data?).map(Array.init) == SHA256.hash(Array(grant.token.utf8)))
        #expect(rows.first?["kind"] as String? == "access")
        #expect(rows.first?["device_id"] as String? == grant.deviceID)
        let file = try Data(contentsOf: f.state.appendingPathComponent("mydia.sqlite"))
        #expect(file.range(of: Data(grant.token.utf8)) == nil)
        #expect(file.range(of: Data("secret-pw".utf8)) == nil)
    }

    @Test func sameDeviceIdReusesTheDeviceAndRetiresItsOldToken() async throws {
        let f = try LoginFixture()
        _ = try await f.add("kim")
        _ = try await f.add("lee")
        guard case .success(let first) = await f.login("kim", "secret-pw"),
              case .success(let second) = await f.login("kim", "secret-pw") else { Issue.record("login failed"); return }
        #expect(second.deviceID == first.deviceID)
        #expect(second.token != first.token)
        await #expect(throws: DeviceStore.Error.tokenInvalid) { try await f.devices.validate(first.token, kind: .access) }
        #expect(try await f.devices.validate(second.token, kind: .access).id == first.deviceID)
        guard case .success(let otherDevice) = await f.login("kim", "secret-pw", deviceID: UUID().uuidString),
              case .success(let otherUser) = await f.login("lee", "secret-pw") else { Issue.record("login failed"); return }
        #expect(otherDevice.deviceID != first.deviceID)
        #expect(otherUser.deviceID != first.deviceID)
        #expect(try await f.devices.listDevices().count == 3)
    }

    @Test func revokingTheDeviceKillsItsToken() async throws {
        let f = try LoginFixture()
        _ = try await f.add("max")
        guard case .success(let grant) = await f.login("max", "secret-pw") else { Issue.record("login failed"); return }
        #expect(try await f.devices.revokeDevice(id: grant.deviceID))
        await #expect(throws: DeviceStore.Error.tokenInvalid) { try await f.devices.validate(grant.token, kind: .access) }
        // Signing in again with the password brings the same record back with a new token.
        guard case .success(let again) = await f.login("max", "secret-pw") else { Issue.record("login failed"); return }
        #expect(again.deviceID == grant.deviceID)
        #expect(try await f.devices.validate(again.token, kind: .access).revoked == false)
        await #expect(throws: DeviceStore.Error.tokenInvalid) { try await f.devices.validate(grant.token, kind: .access) }
    }

    @Test func removingAUserRevokesTheirDevices() async throws {
        let f = try LoginFixture()
        let ned = try await f.add("ned")
        _ = try await f.add("oli")
        guard case .success(let a) = await f.login("ned", "secret-pw"),
              case .success(let b) = await f.login("ned", "secret-pw", deviceID: UUID().uuidString),
              case .success(let other) = await f.login("oli", "secret-pw") else { Issue.record("login failed"); return }
        #expect(try await f.users.list().map(\.activeDevices) == [2, 1])
        let revoked = try await f.users.remove(username: "NED")
        #expect(Set(revoked) == [a.deviceID, b.deviceID])
        for token in [a.token, b.token] {
            await #expect(throws: DeviceStore.Error.tokenInvalid) { try await f.devices.validate(token, kind: .access) }
        }
        #expect(try await f.devices.validate(other.token, kind: .access).id == other.deviceID)
        #expect(try await f.devices.device(id: a.deviceID)?.revoked == true)
        #expect(try await f.users.find(username: "ned") == nil)
        #expect(try await f.devices.devices(ofUser: ned.user.id).isEmpty)
        #expect(await f.login("ned", "secret-pw") == .refused(.invalidCredentials))
    }

    @Test func deviceFieldsAreCheckedAndSanitised() async throws {
        let f = try LoginFixture()
        _ = try await f.add("pat")
        #expect(await f.login("pat", "secret-pw", deviceID: "not-a-uuid") == .refused(.invalidDevice))
        #expect(await f.login("pat", "secret-pw", deviceID: "") == .refused(.invalidDevice))
        let outcome = await f.authority.login(username: "pat", password: "secret-pw", deviceID: Self.deviceID,
                                              deviceName: String(repeating: "n", count: 500) + "\u{7}",
                                              platform: "\u{1b}\u{9b}", clientAddress: "10.0.0.2")
        guard case .success(let grant) = outcome else { Issue.record("login failed"); return }
        let device = try #require(try await f.devices.device(id: grant.deviceID))
        #expect(device.name == String(repeating: "n", count: 64))
        #expect(device.platform == "unknown")
    }
}

/// A temporary state directory with the users, devices and login authority on one test clock.
final class LoginFixture: Sendable {
    let state: URL
    let database: LibraryDatabase
    let users: UserStore
    let devices: DeviceStore
    let authority: LoginAuthority
    let clock = TestClock()

    init() throws {
        state = FileManager.default.temporaryDirectory.appendingPathComponent("mydia-login-tests-\(UUID().uuidString)")
        database = try LibraryDatabase(stateDirectory: state)
        users = UserStore(database: database, now: clock.now)
        devices = DeviceStore(database: database, now: clock.now)
        authority = LoginAuthority(users: users, devices: devices, now: clock.now)
    }

    deinit { try? FileManager.default.removeItem(at: state) }

    /// Adds a user whose password is `secret-pw`.
    func add(_ name: String, totp: Bool = false) async throws -> UserStore.NewUser {
        var password = Array("secret-pw".utf8)
        return try await users.add(username: name, password: &password, withTOTP: totp)
    }

    func login(_ name: String, _ password: String, from address: String = "10.0.0.2",
               deviceID: String = LoginAuthorityTests.deviceID) async -> LoginOutcome {
        await authority.login(username: name, password: password, deviceID: deviceID, deviceName: "Laptop",
                              platform: "linux", clientAddress: address)
    }

    /// Logs a TOTP user in with the right password and returns the challenge token.
    func challenge(_ name: String, from address: String = "10.0.0.2") async throws -> String {
        let outcome = await login(name, "secret-pw", from: address)
        guard case .totpRequired(let token) = outcome else { throw FixtureError.unexpected("\(outcome)") }
        return token
    }

    enum FixtureError: Error { case unexpected(String) }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
