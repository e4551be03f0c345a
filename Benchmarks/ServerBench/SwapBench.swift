import Foundation
import Logging
import MydiaAPI
import MydiaClient
import MydiaConnection
import MydiaCrypto
import MydiaRelay
import MydiaServer
import MydiaTestSupport
import MydiaWire

/// The ConnectionManager's two hot swaps, measured on loopback with a real relay and server and a
/// fault proxy on the only announced direct URL, while catalogue queries run back to back:
/// - `swap_latency_ms`: probe success (the relay → dual transition) → first request answered on
///   the direct path;
/// - `fallback_latency_ms`: the direct path is killed (every connection reset, new ones refused)
///   → first request answered on the relay.
/// Each is the median of `rounds` alternating rounds.
enum SwapBench {
    static func run(library: String, work: URL, rounds: Int = 9) async throws {
        var quiet = Logger(label: "bench")
        quiet.logLevel = .critical
        let relay = try RelayServer(configuration: .init(host: "127.0.0.1", port: 0, logger: quiet))
        let relayTask = Task { try await relay.run() }
        defer { relayTask.cancel() }
        let proxy = try await FaultProxy.start()
        proxy.setMode(.reject)
        var config = ServerConfiguration(relay: try RelayOrigin(try await relay.origin()), libraryPath: library,
                                         stateDirectory: work.appendingPathComponent("swap-state").path, logger: quiet)
        config.directHost = "127.0.0.1"
        config.extraDirectURLs = ["https://127.0.0.1:\(proxy.port)"]
        let host = try await ServerHost(configuration: config)
        let hostTask = Task { try await host.run() }
        defer { hostTask.cancel() }
        await host.link.waitUntilRegistered()
        proxy.setTarget(port: try await host.directPort())

        let store = try CredentialStore(directory: work.appendingPathComponent("swap-client"), logger: quiet)
        let claim = try await host.issueClaim()
        _ = try await Pairing.pair(code: claim.code.value, relay: try await relay.origin(), deviceName: "swap bench", store: store, logger: quiet)
        let session = try await ClientSession.open(store: store, selection: nil, logger: quiet)
        defer { Task { await session.close() } }
        let manager = session.manager
        try await waitFor(manager, timeout: .seconds(30)) { $0.state == .relay && $0.candidates.first?.lastResult != nil }

        var swaps: [Double] = [], fallbacks: [Double] = []
        for _ in 0..<rounds {
            // Swap: open the direct path, probe now, query until a request is answered directly.
            proxy.setMode(.pass)
            await manager.probeNow()
            let promotedAt = try await queryUntil(manager, session.api, path: .direct)
            let snapshot = await manager.snapshot()
            let now = ContinuousClock.now
            // The manager's clock counts from its start; map its `dual` transition onto ours.
            guard let dual = snapshot.transitions.last(where: { $0.to == .dual }) else { fatalError("no dual transition") }
            let probeSucceeded = now - (snapshot.takenAt - dual.at)
            swaps.append(milliseconds(promotedAt - probeSucceeded))
            try await waitFor(manager, timeout: .seconds(10)) { $0.state == .direct }

            // Fallback: kill the direct path under load, query until the relay answers.
            proxy.setMode(.reject)
            let killed = ContinuousClock.now
            proxy.resetAll()
            let answered = try await queryUntil(manager, session.api, path: .relay)
            fallbacks.append(milliseconds(answered - killed))
            try await waitFor(manager, timeout: .seconds(10)) { $0.state == .relay }
        }
        await proxy.stop()
        print("BENCH swap_latency_ms \(ServerBench.round1(ServerBench.median(swaps))) ms")
        print("BENCH fallback_latency_ms \(ServerBench.round1(ServerBench.median(fallbacks))) ms")
    }

    /// Sends queries until one is answered on `path` (its byte counter moved); returns when.
    private static func queryUntil(_ manager: ConnectionManager, _ api: APIClient, path: PathKind) async throws -> ContinuousClock.Instant {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let before = await manager.snapshot()
            _ = try await api.movies(first: 1)
            let after = await manager.snapshot()
            let moved = path == .direct ? after.direct.bytesReceived > before.direct.bytesReceived
                                        : after.relay.bytesReceived > before.relay.bytesReceived
            if moved { return ContinuousClock.now }
        }
        fatalError("no request was answered on the \(path) path within 30 s")
    }

    private static func waitFor(_ manager: ConnectionManager, timeout: Duration, _ done: (ConnectionSnapshot) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if done(await manager.snapshot()) { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        let state = await manager.snapshot().state
        fatalError("the connection did not reach the expected state in time: \(state)")
    }

    private static func milliseconds(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }
}
