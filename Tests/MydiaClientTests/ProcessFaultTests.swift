import Foundation
import Logging
import MydiaAPI
import MydiaClient
import MydiaConnection
import MydiaTestSupport
import Synchronization
import Testing

/// The ConnectionManager against real `mydia-relay` and `mydia-server` processes, with a fault
/// proxy on the only announced direct URL: the direct path appears under a stream of requests, is
/// killed in the middle of requests, comes back, and then the relay process dies and restarts.
/// No idempotent request may fail at any point.
@Suite(.serialized) struct ProcessFaultTests {
    var quiet: Logger {
        var l = Logger(label: "test")
        l.logLevel = .critical
        return l
    }

    /// Sends catalogue queries back to back until stopped; counts successes and failures.
    final class RequestStream: Sendable {
        let succeeded = Atomic<Int>(0)
        let failures = Mutex<[String]>([])
        private let task: Mutex<Task<Void, Never>?> = Mutex(nil)

        init(_ api: APIClient) {
            let t = Task { [self] in
                while !Task.isCancelled {
                    do {
                        let page = try await api.movies(first: 2)
                        if page.totalCount == 3 { succeeded.add(1, ordering: .relaxed) } else { failures.withLock { $0.append("short page") } }
                    } catch {
                        if Task.isCancelled { break }
                        failures.withLock { $0.append("\(error)") }
                    }
                }
            }
            task.withLock { $0 = t }
        }

        func stop() async {
            let t = task.withLock { $0 }
            t?.cancel()
            await t?.value
        }
    }

    func wait(for state: ConnectionState, _ manager: ConnectionManager, within seconds: Double = 30) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if await manager.currentState == state { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test func directAppearsDiesMidRequestAndTheRelayRestartsWithoutAFailedRequest() async throws {
        let work = NSTemporaryDirectory() + "mydia-faults-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let proxy = try await FaultProxy.start()
        defer { Task { await proxy.stop() } }
        proxy.setMode(.reject)

        var relay = try RunningProgram("mydia-relay", ["--host", "127.0.0.1", "--port", "0", "--print-ready"])
        defer { relay.stop() }
        let relayURL = try #require(try relay.ready()["relay_url"] as? String)
        let relayPort = try #require(URL(string: relayURL)?.port)
        let server = try RunningProgram("mydia-server", [
            "--relay", relayURL, "--library", try ServerStack.sampleLibrary(), "--state-dir", work + "/server",
            "--host", "127.0.0.1", "--direct-url", "https://127.0.0.1:\(proxy.port)", "--claim-on-start", "--print-ready",
        ])
        defer { server.stop() }
        let ready = try server.ready()
        #expect(ready["direct_urls"] as? [String] == ["https://127.0.0.1:\(proxy.port)"])
        proxy.setTarget(port: try #require(ready["direct_port"] as? Int))

        let store = try CredentialStore(directory: URL(fileURLWithPath: work + "/client"))
        _ = try await Pairing.pair(code: try #require(ready["claim_code"] as? String), relay: relayURL, deviceName: "fault test",
                                   store: store, logger: quiet)
        let session = try await ClientSession.open(store: store, selection: nil, logger: quiet)
        defer { Task { await session.close() } }
        let manager = session.manager
        let stream = RequestStream(session.api)

        // 1. The direct URL refuses: the client serves from the relay.
        #expect(await wait(for: .relay, manager))
        let probeDeadline = ContinuousClock.now + .seconds(20)
        while await manager.snapshot().candidates.first?.lastResult == nil, ContinuousClock.now < probeDeadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let refusedProbe = await manager.snapshot()
        #expect(refusedProbe.candidates.first?.lastResult?.isOK == false && refusedProbe.state == .relay)

        // 2. The direct listener becomes reachable under load: relay → dual → direct.
        proxy.setMode(.pass)
        await manager.probeNow()
        #expect(await wait(for: .direct, manager))
        let promoted = await manager.snapshot().transitions.map { "\($0.from)→\($0.to)" }
        #expect(promoted.suffix(2) == ["relay→dual", "dual→direct"], "\(promoted)")

        // 3. Killed in the middle of requests (slowed down so some are in flight): back to relay.
        proxy.setChunkDelay(.milliseconds(200))
        var inFlightOnDirect = 0
        let slowDeadline = ContinuousClock.now + .seconds(10)
        while inFlightOnDirect == 0, ContinuousClock.now < slowDeadline {
            inFlightOnDirect = await manager.snapshot().direct.inFlight
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(inFlightOnDirect > 0)
        proxy.setMode(.reject)
        proxy.resetAll()
        proxy.setChunkDelay(.zero)
        #expect(await wait(for: .relay, manager))
        let beforeRelayOnly = stream.succeeded.load(ordering: .relaxed)
        try await Task.sleep(for: .milliseconds(500))
        #expect(stream.succeeded.load(ordering: .relaxed) > beforeRelayOnly)

        // 4. Back again, then the relay process dies: direct carries on, the relay comes back.
        proxy.setMode(.pass)
        await manager.probeNow()
        #expect(await wait(for: .direct, manager))
        let transitionsBefore = await manager.snapshot().transitions.count
        relay.stop(signal: SIGKILL)
        let downDeadline = ContinuousClock.now + .seconds(20)
        while await manager.snapshot().relay.isUp, ContinuousClock.now < downDeadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(await manager.snapshot().relay.isUp == false)
        let duringOutage = stream.succeeded.load(ordering: .relaxed)
        try await Task.sleep(for: .milliseconds(500))
        #expect(stream.succeeded.load(ordering: .relaxed) > duringOutage)
        relay = try RunningProgram("mydia-relay", ["--host", "127.0.0.1", "--port", "\(relayPort)", "--print-ready"])
        _ = try relay.ready()
        let upDeadline = ContinuousClock.now + .seconds(40)
        while await !manager.snapshot().relay.isUp, ContinuousClock.now < upDeadline { try await Task.sleep(for: .milliseconds(100)) }
        let after = await manager.snapshot()
        #expect(after.relay.isUp && after.state == .direct)
        #expect(after.transitions.count == transitionsBefore, "the relay outage must not move the state: \(after.transitions.suffix(3))")

        await stream.stop()
        #expect(stream.failures.withLock { $0 } == [])
        #expect(stream.succeeded.load(ordering: .relaxed) > 20)
    }
}
