import Foundation
import MydiaAPI
import MydiaClient
import MydiaCrypto
import MydiaServer
import MydiaTestSupport
import Testing
@testable import MydiaDiscovery

/// `mydia-tui discover --json` as a person runs it: the real binary, a real server announcing in
/// private mode (recognised only because this device is paired) and a stranger in enabled mode.
@Suite(.serialized, .enabled(if: LoopbackMulticast.available, LoopbackMulticast.skipReason))
struct DiscoverCommandTests {
    let lo = LoopbackMulticast.interface!

    static let tui: URL? = {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("mydia-tui")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }()

    func discover(_ args: [String], config: String) throws -> (status: Int32, stdout: String) {
        let p = Process()
        guard let tui = Self.tui else { throw Python.Failure(description: "mydia-tui is not built next to the tests") }
        p.executableURL = tui
        p.arguments = ["discover"] + args
        p.environment = ProcessInfo.processInfo.environment.merging(["MYDIA_CONFIG_DIR": config, "XDG_STATE_HOME": config + "/state"]) { $1 }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func listsThePairedPrivateServerByNameAndAStrangerAsUnpaired() async throws {
        let stack = try await ServerStack.start { config in
            config.discovery = .private
            config.discoveryInterfaceNames = [lo.name]
        }
        defer { Task { await stack.stop() } }
        let config = NSTemporaryDirectory() + "mydia-discover-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: config) }
        let store = try CredentialStore(directory: URL(fileURLWithPath: config))
        let claim = try await stack.host.issueClaim()
        _ = try await Pairing.pair(code: claim.code.value, relay: stack.relayOrigin, deviceName: "cli", store: store, logger: LoopbackMulticast.quiet)
        let port = try #require(await stack.host.currentDirectURLs().first.flatMap(URL.init(string:))?.port)

        let strangerID = UUID().uuidString.lowercased()
        let stranger = MDNSResponder(
            configuration: .init(interfaces: [lo]),
            schedule: AdvertisementSchedule(mode: .enabled, instanceID: strangerID, instanceName: "Nachbar", discoveryKey: .random(count: 32), port: 7443),
            logger: LoopbackMulticast.quiet)
        let advertising = Task { try await stranger.run() }
        defer { advertising.cancel() }

        let result = try discover(["--json", "--timeout", "3", "--interface", lo.name], config: config)
        #expect(result.status == 0)
        let list = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]], "stdout: \(result.stdout)")
        let ours = try #require(list.first { $0["instance_id"] as? String == stack.instanceID }, "stdout: \(result.stdout)")
        #expect(ours["paired"] as? Bool == true && ours["mode"] as? String == "private" && ours["name"] as? String == "Test Wohnzimmer")
        #expect(ours["port"] as? Int == port && ours["addresses"] as? [String] == ["127.0.0.1"])
        let other = try #require(list.first { $0["instance_id"] as? String == strangerID }, "stdout: \(result.stdout)")
        #expect(other["paired"] as? Bool == false && other["mode"] as? String == "enabled" && other["name"] as? String == "Nachbar")
        #expect(other["port"] as? Int == 7443)

        // Without the pairing the private server is anonymous: no id, no name.
        let stranger2 = NSTemporaryDirectory() + "mydia-discover-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: stranger2) }
        let anonymous = try discover(["--json", "--timeout", "3", "--interface", lo.name], config: stranger2)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(anonymous.stdout.utf8)) as? [[String: Any]])
        #expect(!entries.contains { $0["instance_id"] as? String == stack.instanceID })
        #expect(entries.contains { $0["mode"] as? String == "private" && $0["instance_id"] is NSNull && $0["name"] is NSNull && $0["port"] as? Int == port })
    }

    @Test func anUnknownInterfaceIsAUsageError() throws {
        let result = try discover(["--interface", "no-such-if0"], config: NSTemporaryDirectory() + "mydia-discover-\(UUID().uuidString)")
        #expect(result.status == 64 && result.stdout.isEmpty)
    }
}
