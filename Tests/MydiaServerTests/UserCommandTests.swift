import Foundation
import MydiaCrypto
import MydiaLibrary
import MydiaTestSupport
import Testing

/// `mydia-server user add|list|remove` as the operator runs it: the built binary against a
/// temporary state directory; a user it adds can sign in through ``LoginAuthority``.
@Suite struct UserCommandTests {
    @Test func addListRemoveOnAStateDirectory() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("mydia-user-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let state = work.appendingPathComponent("state").path

        let added = try Self.run(["user", "add", "alice", "--totp", "--password-stdin", "--state-dir", state], stdin: "first pw\nignored\n")
        #expect(added.status == 0, "\(added.stderr)")
        let lines = added.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "Added user alice.")
        let uri = try #require(lines.first { $0.hasPrefix("otpauth://totp/Mydia:alice?secret=") })
        #expect(uri.hasSuffix("&issuer=Mydia&algorithm=SHA1&digits=6&period=30"))
        #expect(added.stdout.contains("▀") && added.stdout.contains("▄") && added.stdout.contains("█"))
        let codes = lines.map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.range(of: #"^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$"#, options: .regularExpression) != nil }
        #expect(codes.count == UserStore.recoveryCodeCount)
        let secret = try #require(URLComponents(string: uri)?.queryItems?.first { $0.name == "secret" }?.value)

        let bob = try Self.run(["user", "add", "bob", "--password-stdin", "--state-dir", state], stdin: "bob pw")
        #expect(bob.status == 0 && bob.stdout == "Added user bob.\n")
        let taken = try Self.run(["user", "add", "ALICE", "--password-stdin", "--state-dir", state], stdin: "x\n")
        #expect(taken.status != 0 && taken.stdout.isEmpty)
        #expect(taken.stderr == "Error: A user named ALICE already exists — pick another name or remove that user first.\n")
        let empty = try Self.run(["user", "add", "carol", "--password-stdin", "--state-dir", state], stdin: "\n")
        #expect(empty.status != 0 && empty.stderr == "Error: The password must not be empty.\n")

        // State files are the owner's only.
        #expect(try Self.mode(state) == 0o700)
        #expect(try Self.mode(state + "/mydia.sqlite") == 0o600)

        // The user the command made signs in with the password from stdin and a code from the secret.
        let database = try LibraryDatabase(stateDirectory: URL(fileURLWithPath: state))
        let devices = DeviceStore(database: database)
        let authority = LoginAuthority(users: UserStore(database: database), devices: devices)
        let first = await authority.login(username: "alice", password: "first pw", deviceID: UUID().uuidString,
                                          deviceName: "laptop", platform: "linux", clientAddress: "127.0.0.1")
        guard case .totpRequired(let challenge) = first else { Issue.record("expected a challenge, got \(first)"); return }
        let totp = TOTP(secret: try #require(Base32.decode(secret)))
        let code = try #require(totp.code(at: Date()))
        let signedIn = await authority.verifyTotp(challengeToken: challenge, code: code, clientAddress: "127.0.0.1")
        guard case .success(let grant) = signedIn else { Issue.record("expected success, got \(signedIn)"); return }
        guard case .totpRequired(let second) = await authority.login(
            username: "alice", password: "first pw", deviceID: UUID().uuidString, deviceName: "phone", platform: "linux",
            clientAddress: "127.0.0.1") else { Issue.record("expected a challenge"); return }
        guard case .success = await authority.verifyTotp(challengeToken: second, code: codes[0], clientAddress: "127.0.0.1") else {
            Issue.record("the printed recovery code was refused"); return
        }

        let list = try Self.run(["user", "list", "--state-dir", state])
        #expect(list.status == 0)
        #expect(list.stdout == "alice  TOTP on   2 devices\nbob    TOTP off  0 devices\n")

        let removed = try Self.run(["user", "remove", "alice", "--state-dir", state])
        #expect(removed.status == 0 && removed.stdout == "Removed alice; revoked 2 devices.\n")
        await #expect(throws: DeviceStore.Error.tokenInvalid) { try await devices.validate(grant.token, kind: .access) }
        let again = try Self.run(["user", "remove", "alice", "--state-dir", state])
        #expect(again.status != 0 && again.stderr == "Error: There is no user named alice.\n")
        let nowhere = try Self.run(["user", "list", "--state-dir", work.appendingPathComponent("missing").path])
        #expect(nowhere.status != 0 && nowhere.stderr.hasPrefix("Error: There is no server state directory at "))
        #expect(try Self.run(["user", "list", "--state-dir", state]).stdout == "bob  TOTP off  0 devices\n")
    }

    static func run(_ arguments: [String], stdin: String = "") throws -> Programs.Result {
        try Programs.run("mydia-server", arguments, stdin: stdin)
    }

    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return ((attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1) & 0o777
    }
}
