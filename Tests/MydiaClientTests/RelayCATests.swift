import Foundation
import MydiaTestSupport
import Testing

/// `--relay-ca` (PROTOCOL.md §12.5, §13.11) through the real programs: a relay with a certificate from
/// a test CA, a server and a client that trust that CA in addition to the system roots. Along the
/// way, the security checks of issue 8 that need the whole system: credential file modes, no token in
/// the client's log file or the relay's log, and no tunnelled plaintext in the relay's log.
@Suite(.serialized) struct RelayCATests {
    /// A CA and a relay certificate for 127.0.0.1 signed by it, made with openssl.
    struct TestCA {
        let dir: String
        var caPEMPath: String { dir + "/ca.pem" }
        var certPath: String { dir + "/relay.pem" }
        var keyPath: String { dir + "/relay-key.pem" }

        init(in dir: String) throws {
            self.dir = dir
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
            try Self.openssl(["req", "-x509"] + ec + ["-keyout", dir + "/ca-key.pem", "-out", dir + "/ca.pem", "-days", "2",
                                                      "-subj", "/CN=mydia test lab CA", "-addext", "basicConstraints=critical,CA:TRUE",
                                                      "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
            try Self.openssl(["req"] + ec + ["-keyout", keyPath, "-out", dir + "/relay.csr", "-subj", "/CN=mydia test relay"])
            try "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
                .write(toFile: dir + "/relay.ext", atomically: true, encoding: .utf8)
            try Self.openssl(["x509", "-req", "-in", dir + "/relay.csr", "-CA", dir + "/ca.pem", "-CAkey", dir + "/ca-key.pem",
                              "-CAcreateserial", "-days", "2", "-extfile", dir + "/relay.ext", "-out", certPath])
        }

        static func openssl(_ args: [String]) throws {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["openssl"] + args
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            try #require(p.terminationStatus == 0, "openssl \(args.first ?? "") failed")
        }
    }

    @Test func pairingThroughATLSRelayNeedsItsCAAndKeepsItForLaterCommands() throws {
        let work = NSTemporaryDirectory() + "mydia-relay-ca-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let ca = try TestCA(in: work + "/ca")
        let library = try ServerStack.sampleLibrary()
        // The relay logs everything it can (trace) to a file we read afterwards.
        let relayLog = work + "/relay.log"
        try #require(FileManager.default.createFile(atPath: relayLog, contents: nil))
        let relay = try RunningProgram(
            "mydia-relay", ["--host", "127.0.0.1", "--port", "0", "--tls-cert", ca.certPath, "--tls-key", ca.keyPath,
                            "--print-ready", "--log-level", "trace"],
            stderr: FileHandle(forWritingAtPath: relayLog))
        defer { relay.stop() }
        let relayURL = try #require(try relay.ready()["relay_url"] as? String)
        #expect(relayURL.hasPrefix("https://127.0.0.1:"))
        // The direct URL announced is closed, so every request below goes through the relay tunnel.
        let server = try RunningProgram(
            "mydia-server", ["--relay", relayURL, "--relay-ca", ca.caPEMPath, "--library", library, "--state-dir", work + "/server",
                             "--host", "127.0.0.1", "--direct-url", "https://127.0.0.1:9", "--claim-on-start", "--print-ready",
                             "--name", "CA Test"])
        defer { server.stop() }
        let code = try #require(try server.ready()["claim_code"] as? String)
        let config = work + "/client"

        // Without the CA the relay's certificate is refused, with a message that says what to do.
        let untrusted = try Programs.tui(["pair", code, "--relay", relayURL], config: config)
        #expect(untrusted.status == 5 && untrusted.stdout.isEmpty)
        #expect(untrusted.stderr.contains("not trusted") && untrusted.stderr.contains("--relay-ca"), "\(untrusted.stderr)")
        let notPEM = try Programs.tui(["pair", code, "--relay", relayURL, "--relay-ca", ca.keyPath + ".missing"], config: config)
        #expect(notPEM.status == 64 && notPEM.stderr.contains("cannot be read"))

        let paired = try Programs.tui(["pair", code, "--relay", relayURL, "--relay-ca", ca.caPEMPath, "--log-level", "debug"],
                                              config: config)
        #expect(paired.status == 0, "\(paired.stderr)")
        #expect(paired.stdout == "Paired with CA Test.\n")

        // Credentials: directory 0700, file 0600, the CA kept with the server's record.
        let mode = { (path: String) in (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue }
        #expect(mode(config) == 0o700)
        #expect(mode(config + "/servers.json") == 0o600)
        let stored = try String(contentsOfFile: config + "/servers.json", encoding: .utf8)
        let record = try #require((try JSONSerialization.jsonObject(with: Data(stored.utf8)) as? [String: Any])
            .flatMap { ($0["servers"] as? [[String: Any]])?.first })
        #expect((record["relay_ca_pem"] as? String)?.contains("BEGIN CERTIFICATE") == true)

        // Later commands reconnect through the TLS relay with the stored CA; a marker rides the tunnel.
        let marker = "LAB-MARKER-\(UUID().uuidString.prefix(8))"
        let list = try Programs.tui(["ls", "movies", "--json", "--log-level", "debug"], config: config)
        #expect(list.status == 0, "\(list.stderr)")
        #expect(((try? JSONSerialization.jsonObject(with: Data(list.stdout.utf8))) as? [[String: Any]])?.count == 3)
        let search = try Programs.tui(["search", marker, "--json", "--log-level", "debug"], config: config)
        #expect(search.status == 0, "\(search.stderr)")
        let status = try Programs.tui(["status", "--json"], config: config)
        let snapshot = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect(snapshot["path"] as? String == "relay", "the requests above must have used the relay")

        // No secret in the client's log file, the terminal or the relay's log; no plaintext at the relay.
        let secrets = ["access_token", "media_token", "device_token"].compactMap { record[$0] as? String }
        #expect(secrets.count == 3)
        let clientLog = try String(contentsOfFile: config + "/state/mydia-tui/mydia-tui.log", encoding: .utf8)
        relay.stop()
        let relayText = try String(contentsOfFile: relayLog, encoding: .utf8)
        #expect(relayText.contains("relay listening"), "the relay log was not captured")
        #expect(!clientLog.isEmpty, "the client logged nothing at debug, so the token check would prove nothing")
        for secret in secrets {
            #expect(!clientLog.contains(secret), "a token is in the client log")
            #expect(!relayText.contains(secret), "a token is in the relay log")
            for output in [paired, list, search, status] { #expect(!output.stdout.contains(secret) && !output.stderr.contains(secret)) }
        }
        #expect(!relayText.contains(marker), "tunnelled plaintext reached the relay log")
    }
}
