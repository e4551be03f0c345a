import Foundation
import MydiaTestSupport
import Testing

/// Two network namespaces joined by a veth pair, made by the test: a relay and a server in one, the
/// real `mydia-tui discover` in the other. This is the LAN path the loopback tests cannot show: a
/// wildcard bind, interfaces picked automatically, a real multicast-capable link between two hosts.
@Suite(.serialized, .enabled(if: Netns.available, "network namespaces are unavailable (needs root and iproute2's `ip netns`)"))
struct NetnsDiscoveryTests {
    @Test func discoverInAnotherNamespaceSeesTheServerAcrossTheLinkAndFollowsItsAddress() async throws {
        let lab = try Netns.Lab()
        defer { lab.tearDown() }
        let work = NSTemporaryDirectory() + "mydia-netns-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: work) }

        let relay = try lab.spawn(in: lab.server, "mydia-relay", ["--host", "127.0.0.1", "--port", "0", "--print-ready"])
        defer { relay.stop() }
        let relayURL = try #require(try relay.readyLine()["relay_url"] as? String)
        let server = try lab.spawn(in: lab.server, "mydia-server", [
            "--relay", relayURL, "--library", try ServerStack.sampleLibrary(), "--state-dir", work + "/server",
            "--discovery", "enabled", "--name", "Across the link", "--print-ready",
        ])
        defer { server.stop() }
        let ready = try server.readyLine()
        let id = try #require(ready["instance_id"] as? String)
        let port = try #require(ready["direct_port"] as? Int)
        #expect(ready["discovery"] as? String == "enabled")
        #expect((ready["direct_urls"] as? [String])?.contains("https://\(Netns.serverAddress):\(port)") == true)

        let found = try lab.run(in: lab.client, "mydia-tui", ["discover", "--json", "--timeout", "4"],
                                environment: ["MYDIA_CONFIG_DIR": work + "/client", "XDG_STATE_HOME": work + "/client-state"])
        let list = try #require(try JSONSerialization.jsonObject(with: Data(found.utf8)) as? [[String: Any]], "stdout: \(found)")
        let entry = try #require(list.first { $0["instance_id"] as? String == id }, "stdout: \(found)")
        #expect(entry["addresses"] as? [String] == [Netns.serverAddress])
        #expect(entry["port"] as? Int == port && entry["name"] as? String == "Across the link")
        #expect(entry["mode"] as? String == "enabled" && entry["paired"] as? Bool == false)

        // The server's address changes (a new DHCP lease): within its 5 s interface check the
        // responder starts over and announces the new address.
        // (Deleting a primary address also deletes its secondaries, so the old one goes first.)
        try Netns.ip(["-n", lab.server, "addr", "del", "\(Netns.serverAddress)/24", "dev", lab.serverLink])
        try Netns.ip(["-n", lab.server, "addr", "add", "\(Netns.movedAddress)/24", "dev", lab.serverLink])
        try await Task.sleep(for: .seconds(6))
        let moved = try lab.run(in: lab.client, "mydia-tui", ["discover", "--json", "--timeout", "3"],
                                environment: ["MYDIA_CONFIG_DIR": work + "/client", "XDG_STATE_HOME": work + "/client-state"])
        let after = try #require(try JSONSerialization.jsonObject(with: Data(moved.utf8)) as? [[String: Any]], "stdout: \(moved)")
        #expect(after.first { $0["instance_id"] as? String == id }?["addresses"] as? [String] == [Netns.movedAddress], "stdout: \(moved)")
    }
}

/// Creates and removes the namespaces, runs the built programs inside them.
enum Netns {
    static let serverAddress = "10.213.7.1"
    static let clientAddress = "10.213.7.2"
    static let movedAddress = "10.213.7.3"

    static let available: Bool = {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") || FileManager.default.isExecutableFile(atPath: "/sbin/ip")
        else { return false }
        let probe = "mydia-probe-\(UInt32.random(in: 0...UInt32.max))"
        defer { _ = try? ip(["netns", "del", probe]) }
        return (try? ip(["netns", "add", probe])) != nil && DiscoverCommandTests.tui != nil
    }()

    @discardableResult
    static func ip(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") ? "/usr/sbin/ip" : "/sbin/ip")
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw Python.Failure(description: "ip \(args.joined(separator: " ")) failed") }
        return String(decoding: data, as: UTF8.self)
    }

    /// Two namespaces, `server` and `client`, with a veth pair between them and loopback up in each.
    final class Lab {
        let server: String
        let client: String
        /// The server end of the veth pair.
        let serverLink: String

        init() throws {
            let tag = String(UInt32.random(in: 0...UInt32.max), radix: 16)
            server = "mydia-s-\(tag)"
            client = "mydia-c-\(tag)"
            serverLink = "mds\(tag)"
            do {
                try ip(["netns", "add", server])
                try ip(["netns", "add", client])
                try ip(["link", "add", "mds\(tag)", "netns", server, "type", "veth", "peer", "name", "mdc\(tag)", "netns", client])
                for (ns, link, address) in [(server, "mds\(tag)", serverAddress), (client, "mdc\(tag)", clientAddress)] {
                    try ip(["-n", ns, "addr", "add", "\(address)/24", "dev", link])
                    try ip(["-n", ns, "link", "set", link, "up"])
                    try ip(["-n", ns, "link", "set", "lo", "up"])
                }
            } catch {
                tearDown()
                throw error
            }
        }

        /// Deleting the namespaces removes the veth pair with them.
        func tearDown() {
            _ = try? ip(["netns", "del", server])
            _ = try? ip(["netns", "del", client])
        }

        /// A program from the build directory started in `namespace`.
        func spawn(in namespace: String, _ tool: String, _ args: [String], environment: [String: String] = [:]) throws -> Child {
            try Child(namespace: namespace, tool: tool, args: args, environment: environment)
        }

        /// Runs a program in `namespace` to the end and returns its stdout.
        func run(in namespace: String, _ tool: String, _ args: [String], environment: [String: String] = [:]) throws -> String {
            let child = try spawn(in: namespace, tool, args, environment: environment)
            let data = child.stdout.fileHandleForReading.readDataToEndOfFile()
            child.process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// A process in a namespace (`ip netns exec` execs the program, so the pid is the program's).
    final class Child {
        let process = Process()
        let stdout = Pipe()

        init(namespace: String, tool: String, args: [String], environment: [String: String]) throws {
            let bin = DiscoverCommandTests.tui!.deletingLastPathComponent()
            process.executableURL = URL(fileURLWithPath: FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") ? "/usr/sbin/ip" : "/sbin/ip")
            process.arguments = ["netns", "exec", namespace, bin.appendingPathComponent(tool).path] + args
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            process.standardOutput = stdout
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        /// The first stdout line that is JSON with `"event":"ready"`, within 60 s.
        func readyLine() throws -> [String: Any] {
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
            throw Python.Failure(description: "no ready line from \(process.arguments?.dropFirst(3).first ?? "")")
        }

        func stop() {
            guard process.isRunning else { return }
            process.terminate()
            process.waitUntilExit()
        }
    }
}
