import Foundation
import MydiaTestSupport
import Testing

/// The three programs as a person runs them: `mydia-relay` and `mydia-server` processes on
/// loopback, then `mydia-tui pair`, `ls --json`, `status --json` and a refused code, checking the
/// command-line contract (stdout JSON, one-sentence errors, exit codes).
@Suite(.serialized) struct CommandLineTests {
    /// The built executables live next to the test bundle.
    static let bin: URL = {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("mydia-tui").path), dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir
    }()

    final class Running: @unchecked Sendable {  // each field written once before use
        let process = Process()
        let stdout = Pipe()
        var lines: [String] = []

        init(_ tool: String, _ args: [String], environment: [String: String] = [:], stderr: FileHandle? = nil) throws {
            process.executableURL = CommandLineTests.bin.appendingPathComponent(tool)
            process.arguments = args
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            process.standardOutput = stdout
            process.standardError = stderr ?? FileHandle.nullDevice
            try process.run()
        }

        /// The first stdout line whose JSON has `"event":"ready"`, within 60 s.
        func ready() throws -> [String: Any] {
            let deadline = Date().addingTimeInterval(60)
            var buffer = Data()
            while Date() < deadline {
                let chunk = stdout.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                buffer += chunk
                for line in String(decoding: buffer, as: UTF8.self).split(separator: "\n") {
                    if let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], json["event"] as? String == "ready" {
                        return json
                    }
                }
            }
            throw CocoaError(.fileReadUnknown)
        }

        func stop() {
            process.terminate()
            process.waitUntilExit()
        }
    }

    struct Result { let status: Int32; let stdout: String; let stderr: String }

    static func tui(_ args: [String], config: String) throws -> Result {
        let p = Process()
        p.executableURL = bin.appendingPathComponent("mydia-tui")
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(["MYDIA_CONFIG_DIR": config, "XDG_STATE_HOME": config + "/state"]) { $1 }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    @Test func pairListAndStatusThroughTheRealPrograms() throws {
        let work = NSTemporaryDirectory() + "mydia-cli-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let library = try ServerStack.sampleLibrary()
        let relay = try Running("mydia-relay", ["--host", "127.0.0.1", "--port", "0", "--print-ready"])
        defer { relay.stop() }
        let relayURL = try #require(try relay.ready()["relay_url"] as? String)
        let server = try Running("mydia-server", ["--relay", relayURL, "--library", library, "--state-dir", work + "/server",
                                                  "--host", "127.0.0.1", "--claim-on-start", "--print-ready", "--name", "CLI Test"])
        defer { server.stop() }
        let ready = try server.ready()
        let code = try #require(ready["claim_code"] as? String)
        let config = work + "/client"

        let refused = try Self.tui(["pair", "000000", "--relay", relayURL], config: config)
        #expect(refused.status == 4 && refused.stdout.isEmpty)
        #expect(refused.stderr.contains("No server is waiting for this code"))

        let notPaired = try Self.tui(["ls", "movies", "--json"], config: config)
        #expect(notPaired.status == 3)

        let paired = try Self.tui(["pair", String(code.prefix(3)) + "-" + String(code.suffix(3)), "--relay", relayURL, "--name", "cli test"], config: config)
        #expect(paired.status == 0, "\(paired.stderr)")
        #expect(paired.stdout == "Paired with CLI Test.\n")
        #expect(paired.stderr.contains("Pairing check:"))
        let mode = (try FileManager.default.attributesOfItem(atPath: config + "/servers.json")[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)

        let list = try Self.tui(["ls", "movies", "--json"], config: config)
        #expect(list.status == 0, "\(list.stderr)")
        let movies = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(movies.count == 3 && movies.allSatisfy { $0["id"] is String && $0["type"] as? String == "movie" && $0["title"] is String })
        #expect(movies.contains { $0["title"] as? String == "東京物語" && $0["year"] as? Int == 1953 })

        let status = try Self.tui(["status", "--json"], config: config)
        #expect(status.status == 0, "\(status.stderr)")
        let snapshot = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        // The direct listener answers on loopback, so the first probe round ends on direct.
        #expect(snapshot["state"] as? String == "direct" && snapshot["path"] as? String == "direct")
        #expect(snapshot.keys.contains("rtt_ms"))
        // No token ever reaches the terminal.
        let stored = try String(contentsOfFile: config + "/servers.json", encoding: .utf8)
        let token = try #require((try JSONSerialization.jsonObject(with: Data(stored.utf8)) as? [String: Any]).flatMap { ($0["servers"] as? [[String: Any]])?.first?["access_token"] as? String })
        for output in [paired, list, status] { #expect(!output.stdout.contains(token) && !output.stderr.contains(token)) }
    }
}
