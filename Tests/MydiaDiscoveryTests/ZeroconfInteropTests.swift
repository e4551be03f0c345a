import Foundation
import MydiaCrypto
import MydiaTestSupport
import Testing
@testable import MydiaDiscovery

/// Interop with python-zeroconf, an independent mDNS/DNS-SD implementation, on loopback multicast:
/// it browses what our responder announces, and our browser finds what it registers.
@Suite(.serialized, .enabled(if: LoopbackMulticast.available, LoopbackMulticast.skipReason),
       .enabled(if: Python.withZeroconf != nil, "python3 with zeroconf is missing (scripts/deps.sh installs python3-zeroconf)"))
struct ZeroconfInteropTests {
    let lo = LoopbackMulticast.interface!

    @Test func zeroconfResolvesOurResponder() async throws {
        let id = UUID().uuidString.lowercased()
        let label = "Interop \(id.prefix(8))"
        let schedule = AdvertisementSchedule(mode: .enabled, instanceID: id, instanceName: label, discoveryKey: .random(count: 32), port: 18450)
        let responder = MDNSResponder(configuration: .init(interfaces: [lo]), schedule: schedule, logger: LoopbackMulticast.quiet)
        let advertising = Task { try await responder.run() }
        defer { advertising.cancel() }

        let python = Python.withZeroconf!
        let output = try await withTimeout(.seconds(40)) {
            try Python.run(python, [Python.script("zeroconf-browse.py"), lo.address, "20", label])
        }
        let lines = output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let ours = try #require(lines.first { $0["name"] as? String == "\(label)._mydia._tcp.local." }, "zeroconf saw: \(output)")
        #expect(ours["port"] as? Int == 18450)
        #expect(ours["addresses"] as? [String] == ["127.0.0.1"])
        let txt = try #require(ours["txt"] as? [String: Any])
        #expect(txt["v"] as? String == "1" && txt["id"] as? String == id && txt["name"] as? String == label)
    }

    @Test func ourBrowserFindsAZeroconfAdvertisementAndItsGoodbye() async throws {
        let id = UUID().uuidString.lowercased()
        let label = "Py \(id.prefix(8))"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Python.withZeroconf!)
        process.arguments = [Python.script("zeroconf-advertise.py"), lo.address, label, "19443", "v=1", "id=\(id)", "name=Python Server"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        let browser = MDNSBrowser(configuration: .init(interfaces: [lo]), logger: LoopbackMulticast.quiet)
        let browsing = Task { try await browser.run() }
        defer { browsing.cancel() }
        let found = try await LoopbackMulticast.wait(browser, .seconds(30)) { $0.contains { $0.instanceID == id } }
        let service = try #require(found.first { $0.instanceID == id })
        #expect(service.instanceLabel == label && service.port == 19443 && service.name == "Python Server")
        #expect(service.addresses == ["127.0.0.1"] && service.mode == .enabled)
        #expect(service.directURLs.map(\.absoluteString) == ["https://127.0.0.1:19443"])

        // Closing its stdin makes zeroconf unregister: it sends goodbyes, and the service goes.
        try input.fileHandleForWriting.close()
        _ = try await LoopbackMulticast.wait(browser, .seconds(20)) { !$0.contains { $0.instanceID == id } }
        process.waitUntilExit()
    }
}
