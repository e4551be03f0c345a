import Foundation
import MydiaTestSupport
import Testing

/// `mydia-tui login` as a person or a script runs it (PROTOCOL.md §14.2), against a fake stock
/// server in this process: exit codes 0/4/5/7/64, one sentence on stderr, nothing on stdout but
/// the result, `servers`, `status`, `logout`.
@Suite(.serialized, .timeLimit(.minutes(3))) struct LoginCommandTests {
    /// Runs `mydia-tui` off the cooperative pool (the fake server answers on it meanwhile).
    static func tui(_ args: [String], config: String, stdin: String? = nil) async throws -> Programs.Result {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try Programs.tui(args, config: config, stdin: stdin) })
            }
        }
    }

    @Test func loginListStatusAndLogoutThroughTheRealProgram() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let identity = try certificates.leaf("stock", subjectAltNames: ["IP:127.0.0.1"])
        let stock = FakeStockMydia(.init(totp: true))
        let server = try await TestHTTPServer.start(identity: identity) { await stock.respond($0) }
        defer { server.close() }
        let config = NSTemporaryDirectory() + "mydia-login-cli-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: config) }
        let url = "https://127.0.0.1:\(server.port)"
        let login = ["login", url, "--user", "alice", "--password-stdin", "--name", "Office"]

        // Not trusted without --ca: exit 5, the sentence names --ca and the pin.
        let untrusted = try await Self.tui(login, config: config, stdin: FakeStockMydia.password + "\n")
        #expect(untrusted.status == 5 && untrusted.stdout.isEmpty)
        #expect(untrusted.stderr.contains("--ca FILE") && untrusted.stderr.contains("--pin-sha256 \(identity.fingerprint)"), "\(untrusted.stderr)")
        #expect(untrusted.stderr.split(separator: "\n").count == 1)

        // A wrong password: exit 4 with the server's text; a wrong code too.
        let wrong = try await Self.tui(login + ["--ca", certificates.caPEMPath], config: config, stdin: "nope\n")
        #expect(wrong.status == 4 && wrong.stderr == "Invalid username or password.\n", "\(wrong.stderr)")
        let badCode = try await Self.tui(login + ["--ca", certificates.caPEMPath], config: config, stdin: FakeStockMydia.password + "\n000000\n")
        #expect(badCode.status == 4 && badCode.stderr == "Invalid code.\n", "\(badCode.stderr)")
        let noCode = try await Self.tui(login + ["--ca", certificates.caPEMPath], config: config, stdin: FakeStockMydia.password + "\n")
        #expect(noCode.status == 4 && noCode.stderr.contains("second line"), "\(noCode.stderr)")
        #expect(!FileManager.default.fileExists(atPath: config + "/logins.json"), "nothing half-done is stored")

        // The password on stdin's first line, the TOTP code on the second.
        let ok = try await Self.tui(login + ["--ca", certificates.caPEMPath], config: config,
                                    stdin: FakeStockMydia.password + "\n" + FakeStockMydia.code + "\n")
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout == "Logged in to Office as alice.\n")
        let mode = (try FileManager.default.attributesOfItem(atPath: config + "/logins.json")[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
        let deviceIDMode = (try FileManager.default.attributesOfItem(atPath: config + "/device-id")[.posixPermissions] as? NSNumber)?.intValue
        #expect(deviceIDMode == 0o600)

        let servers = try await Self.tui(["servers", "--json"], config: config)
        #expect(servers.status == 0, "\(servers.stderr)")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(servers.stdout.utf8)) as? [[String: Any]])
        #expect(list.count == 1 && list[0]["kind"] as? String == "login" && list[0]["name"] as? String == "Office")
        #expect(list[0]["address"] as? String == url && list[0]["user"] as? String == "alice" && list[0]["tls"] as? String == "verified")
        #expect(!servers.stdout.contains("stock-token"), "no token in the listing")

        let status = try await Self.tui(["status", "--json", "--server", "office"], config: config)
        #expect(status.status == 0, "\(status.stderr)")
        let snapshot = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect(snapshot["state"] as? String == "direct" && snapshot["direct_url"] as? String == url, "\(status.stdout)")
        #expect(snapshot["direct_only"] as? Bool == true && snapshot["relay_refusal"] is NSNull)
        let plain = try await Self.tui(["status", "--server", "Office"], config: config)
        #expect(plain.stdout.hasPrefix("DIRECT · direct \(url)"), "\(plain.stdout)")

        // Revoked at the server: every command says "log in again" with exit 7.
        stock.revokeAll()
        let revoked = try await Self.tui(["devices", "--server", "Office"], config: config)
        #expect(revoked.status == 7 && revoked.stderr.contains("log in again"), "\(revoked.stderr)")
        let offline = try await Self.tui(["status", "--json", "--server", "Office"], config: config)
        let seen = try #require(try JSONSerialization.jsonObject(with: Data(offline.stdout.utf8)) as? [String: Any])
        #expect(seen["state"] as? String == "offline" && (seen["direct_refusal"] as? String)?.contains("log in again") == true, "\(offline.stdout)")

        let logout = try await Self.tui(["logout", "--server", "Office"], config: config)
        #expect(logout.status == 0 && logout.stdout.hasPrefix("Forgot Office."), "\(logout.stderr)")
        let empty = try await Self.tui(["servers", "--json"], config: config)
        #expect(empty.stdout == "[]\n")
        let gone = try await Self.tui(["status", "--server", "Office"], config: config)
        #expect(gone.status == 3)

        // Logs never hold the password or a token.
        let logs = (try? FileManager.default.subpathsOfDirectory(atPath: config)) ?? []
        for path in logs where path.hasSuffix(".log") {
            let text = (try? String(contentsOfFile: config + "/" + path, encoding: .utf8)) ?? ""
            #expect(!text.contains(FakeStockMydia.password) && !text.contains("stock-token"), "\(path)")
        }
    }

    @Test func plainHTTPIsAllowedToLoopbackWithAWarningAndRefusedElsewhere() async throws {
        let stock = FakeStockMydia()
        let server = try await TestHTTPServer.start { await stock.respond($0) }
        defer { server.close() }
        let config = NSTemporaryDirectory() + "mydia-login-http-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: config) }

        let ok = try await Self.tui(["login", "http://127.0.0.1:\(server.port)", "--user", "alice", "--password-stdin"], config: config,
                                    stdin: FakeStockMydia.password + "\n")
        #expect(ok.status == 0 && ok.stdout == "Logged in to 127.0.0.1 as alice.\n", "\(ok.stderr)")
        #expect(ok.stderr.contains("the password crosses the network in clear"))

        let refused = try await Self.tui(["login", "http://203.0.113.9", "--user", "alice", "--password-stdin"], config: config, stdin: "x\n")
        #expect(refused.status == 64 && refused.stderr.contains("https://"), "\(refused.stderr)")
        let mixed = try await Self.tui(["login", "http://127.0.0.1:\(server.port)", "--ca", "/dev/null", "--user", "a", "--password-stdin"],
                                       config: config, stdin: "x\n")
        #expect(mixed.status == 64)
        let badPin = try await Self.tui(["login", "https://127.0.0.1:1", "--pin-sha256", "abc", "--user", "a", "--password-stdin"], config: config)
        #expect(badPin.status == 64)
    }
}
