import Foundation
import MydiaCrypto
import MydiaTestSupport
import MydiaWire
import Testing

/// The three programs as a person runs them: `mydia-relay` and `mydia-server` processes on
/// loopback, then `mydia-tui pair`, `ls --json`, `status --json` and a refused code, checking the
/// command-line contract (stdout JSON, one-sentence errors, exit codes).
@Suite(.serialized) struct CommandLineTests {
    @Test func pairListAndStatusThroughTheRealPrograms() throws {
        let work = NSTemporaryDirectory() + "mydia-cli-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let library = try ServerStack.sampleLibrary()
        let relay = try RunningProgram("mydia-relay", ["--host", "127.0.0.1", "--port", "0", "--print-ready"])
        defer { relay.stop() }
        let relayURL = try #require(try relay.ready()["relay_url"] as? String)
        let server = try RunningProgram("mydia-server", ["--relay", relayURL, "--library", library, "--state-dir", work + "/server",
                                                  "--host", "127.0.0.1", "--claim-on-start", "--print-ready", "--name", "CLI Test"])
        defer { server.stop() }
        let ready = try server.ready()
        let code = try #require(ready["claim_code"] as? String)
        let config = work + "/client"

        let refused = try Programs.tui(["pair", "000000", "--relay", relayURL], config: config)
        #expect(refused.status == 4 && refused.stdout.isEmpty)
        #expect(refused.stderr.contains("No server is waiting for this code"))
        // The code on stdin instead of argv (`-` or no argument): the same answer.
        for args in [["pair", "-", "--relay", relayURL], ["pair", "--relay", relayURL]] {
            let fromStdin = try Programs.tui(args, config: config, stdin: "000-000\n")
            #expect(fromStdin.status == 4 && fromStdin.stderr.contains("No server is waiting for this code"), "\(args) \(fromStdin.stderr)")
        }
        let noCode = try Programs.tui(["pair", "--relay", relayURL], config: config, stdin: "")
        #expect(noCode.status == 64 && noCode.stderr.contains("claim code"), "\(noCode.stderr)")

        let notPaired = try Programs.tui(["ls", "movies", "--json"], config: config)
        #expect(notPaired.status == 3)

        let paired = try Programs.tui(["pair", String(code.prefix(3)) + "-" + String(code.suffix(3)), "--relay", relayURL, "--name", "cli test"], config: config)
        #expect(paired.status == 0, "\(paired.stderr)")
        #expect(paired.stdout == "Paired with CLI Test.\n")
        #expect(paired.stderr.contains("Pairing check:"))
        let mode = (try FileManager.default.attributesOfItem(atPath: config + "/servers.json")[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)

        let list = try Programs.tui(["ls", "movies", "--json"], config: config)
        #expect(list.status == 0, "\(list.stderr)")
        let movies = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(movies.count == 3 && movies.allSatisfy { $0["id"] is String && $0["type"] as? String == "movie" && $0["title"] is String })
        #expect(movies.contains { $0["title"] as? String == "東京物語" && $0["year"] as? Int == 1953 })

        let status = try Programs.tui(["status", "--json"], config: config)
        #expect(status.status == 0, "\(status.stderr)")
        let snapshot = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        // The direct listener answers on loopback, so the first probe round ends on direct.
        #expect(snapshot["state"] as? String == "direct" && snapshot["path"] as? String == "direct")
        #expect(snapshot.keys.contains("rtt_ms"))
        // No token ever reaches the terminal.
        let stored = try String(contentsOfFile: config + "/servers.json", encoding: .utf8)
        let token = try #require((try JSONSerialization.jsonObject(with: Data(stored.utf8)) as? [String: Any]).flatMap { ($0["servers"] as? [[String: Any]])?.first?["access_token"] as? String })
        for output in [paired, list, status] { #expect(!output.stdout.contains(token) && !output.stderr.contains(token)) }

        // `status --watch --json`: the current snapshot at once, one line per change, exit 0 on SIGINT.
        let watch = try RunningProgram("mydia-tui", ["status", "--watch", "--json"],
                                       environment: ["MYDIA_CONFIG_DIR": config, "XDG_STATE_HOME": config + "/state"])
        let first = try watch.waitForJSON(timeout: 10) { _ in true }
        #expect(first.index == 0 && ["state", "path", "rtt_ms"].allSatisfy(first.object.keys.contains))
        let onDirect = try watch.waitForJSON(timeout: 30) { $0["state"] as? String == "direct" }
        #expect(onDirect.object["path"] as? String == "direct")
        #expect(watch.stop(signal: SIGINT) == 0)
        #expect(watch.output.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) is [String: Any] })

        // Revoking the device on the server (operator CLI) turns the next command into exit 7.
        let deviceID = try #require((try JSONSerialization.jsonObject(with: Data(stored.utf8)) as? [String: Any])
            .flatMap { ($0["servers"] as? [[String: Any]])?.first?["device_id"] as? String })
        let revoke = Process()
        revoke.executableURL = Programs.bin.appendingPathComponent("mydia-server")
        revoke.arguments = ["revoke", deviceID, "--state-dir", work + "/server"]
        revoke.standardOutput = FileHandle.nullDevice
        try revoke.run()
        revoke.waitUntilExit()
        #expect(revoke.terminationStatus == 0)
        let rejected = try Programs.tui(["ls", "movies", "--json"], config: config)
        #expect(rejected.status == 7 && rejected.stdout.isEmpty, "\(rejected.status) \(rejected.stderr)")
        #expect(rejected.stderr.split(separator: "\n").count == 1 && rejected.stderr.lowercased().contains("revoked"), "\(rejected.stderr)")
    }

    /// A relay that substitutes the server's key in `connected` (§3.3 step 2) is refused before any
    /// handshake: exit 4, nothing stored, and the code is still good through an honest relay.
    @Test func aRelaySubstitutingTheServerKeyIsRefused() async throws {
        let work = NSTemporaryDirectory() + "mydia-cli-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let relay = try RunningProgram("mydia-relay", ["--host", "127.0.0.1", "--port", "0", "--print-ready"])
        defer { relay.stop() }
        let relayURL = try #require(try relay.ready()["relay_url"] as? String)
        let server = try RunningProgram("mydia-server", ["--relay", relayURL, "--library", try ServerStack.sampleLibrary(),
                                                         "--state-dir", work + "/server", "--host", "127.0.0.1",
                                                         "--claim-on-start", "--print-ready", "--name", "Honest"])
        defer { server.stop() }
        let ready = try server.ready()
        let code = try #require(ready["claim_code"] as? String)
        let realKey = try #require(ready["public_key"] as? String)
        let forged = Encoding.base64(X25519KeyPair.generate().publicKey)

        let lying = try await FaultProxy.start(target: ("127.0.0.1", try RelayOrigin(relayURL).port))
        defer { Task { await lying.stop() } }
        lying.setRewrite(from: Array(realKey.utf8), to: Array(forged.utf8))
        let config = work + "/client"
        let refused = try Programs.tui(["pair", code, "--relay", "http://127.0.0.1:\(lying.port)"], config: config)
        #expect(lying.rewriteCount >= 1)
        #expect(refused.status == 4 && refused.stdout.isEmpty, "\(refused.status) \(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: config + "/servers.json"))

        let honest = try Programs.tui(["pair", code, "--relay", relayURL], config: config)
        #expect(honest.status == 0 && honest.stdout == "Paired with Honest.\n", "\(honest.stderr)")
    }
}
