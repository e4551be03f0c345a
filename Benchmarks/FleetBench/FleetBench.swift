import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import MydiaCrypto
import MydiaListener
import MydiaRelay
import MydiaTestSupport
import MydiaWire

/// `mydia-fleet-bench`: a load simulation of a relay fleet (PROTOCOL.md §15, docs/FLEET.md). Three
/// in-process relay nodes share one PostgreSQL server the bench starts (Debian's binaries, loopback,
/// a temporary directory). N instances register round-robin over the nodes; N clients each connect
/// through a node that does not hold their instance, are answered `moved` and connect again at
/// the named node; claims are published through one node and looked up through another.
///
///     mydia-fleet-bench [--instances N] [--concurrency C] [--lookups L]
///
/// Prints:
///     BENCH fleet_registrations_per_s <n> /s
///     BENCH fleet_connect_ms_p99 <ms> ms        (connect → moved → connect → connected)
///     BENCH fleet_claim_lookup_ms_p99 <ms> ms   (GET through another node than the POST)
///     BENCH fleet_queries_per_connect <n> queries
///     BENCH fleet_process_rss_mb <mb> MB        (all three nodes and the load, one process)
@main
struct FleetBench {
    static func main() async throws {
        let args = CommandLine.arguments
        func option(_ name: String, _ fallback: Int) -> Int {
            guard let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]), v > 0 else { return fallback }
            return v
        }
        let instances = option("--instances", 2000)
        let concurrency = option("--concurrency", 64)
        let lookups = option("--lookups", 1000)
        guard TestPostgres.isInstalled else {
            print("fleet-bench: SKIPPED — \(TestPostgres.skipReason)")
            return
        }
        let db = try await TestPostgres.start()
        defer { db.shutdown() }
        var logger = Logger(label: "fleet-bench")
        logger.logLevel = .critical
        var limits = RelayLimits()
        limits.connectsPerMinute = 1_000_000  // one loopback address plays every home
        limits.claimPostsPerMinute = 1_000_000
        limits.claimGetsPerMinute = 1_000_000
        limits.listener.maxPerAddress = 1_000_000  // the per-IP connection cap too (§13.122)
        var started: [(server: RelayServer, port: Int, task: Task<Void, any Error>)] = []
        for _ in 0..<3 {
            let port = try TestPostgres.freePort()
            let fleet = try FleetConfiguration(storeURL: db.url, nodeURL: "ws://127.0.0.1:\(port)", poolSize: 8)
            let server = try RelayServer(configuration: .init(host: "127.0.0.1", port: port, limits: limits, logger: logger, fleet: fleet))
            let task = Task { try await server.run() }
            _ = try await server.port()
            while !server.isStoreReady { try await Task.sleep(for: .milliseconds(50)) }
            started.append((server, port, task))
        }
        let nodes = started
        let ports = nodes.map(\.port)
        defer { for node in nodes { node.task.cancel() } }
        let rssBefore = residentMB()

        // Registrations: instance i on node i % 3.
        let keys = (0..<instances).map { _ in X25519KeyPair.generate() }
        let ids = (0..<instances).map { _ in UUID().uuidString.lowercased() }
        let sockets = Box<[TestSocket]>([])
        // Instances ping as real ones do (§2.1), or the nodes drop them as silent after 60 s.
        let keepalive = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(20))
                for socket in sockets.withLock({ $0 }) { socket.send(.ping) }
            }
        }
        defer { keepalive.cancel() }
        let regStart = ContinuousClock.now
        try await forEach(0..<instances, concurrency: concurrency) { i in
            let socket = TestSocket("ws://127.0.0.1:\(ports[i % 3])/relay/tunnel/websocket")
            guard case .challenge(let nonce, let relayKey) = try await socket.nextMessage(timeout: .seconds(30)) else { throw BenchError("no challenge") }
            let proof = try RegistrationProof.make(staticKey: keys[i], relayKey: relayKey, nonce: nonce, instanceID: ids[i])
            socket.send(.register(.init(instanceID: ids[i], publicKey: keys[i].publicKey, proof: proof)))
            guard case .registered = try await socket.nextMessage(timeout: .seconds(30)) else { throw BenchError("registration refused") }
            sockets.withLock { $0.append(socket) }
        }
        let regSeconds = seconds(ContinuousClock.now - regStart)

        // Connects through the wrong node: moved, then connected at the instance's node.
        let queriesBefore = nodes.reduce(0) { $0 + $1.server.storeQueries }
        let connectTimes = Box<[Double]>([])
        try await forEach(0..<instances, concurrency: concurrency) { i in
            let start = ContinuousClock.now
            let wrong = TestSocket("ws://127.0.0.1:\(ports[(i + 1) % 3])/relay/client/websocket")
            wrong.send(.connect(instanceID: ids[i]))
            guard case .text(let text)? = await wrong.next(timeout: .seconds(30)), let target = RelayMoved.relayURL(in: text) else {
                throw BenchError("no moved")
            }
            wrong.close()
            let right = TestSocket(target + "/relay/client/websocket")
            right.send(.connect(instanceID: ids[i]))
            guard case .connected = try await right.nextMessage(timeout: .seconds(30)) else { throw BenchError("not connected after moved") }
            connectTimes.withLock { $0.append(milliseconds(ContinuousClock.now - start)) }
            right.close()
        }
        let queries = nodes.reduce(0) { $0 + $1.server.storeQueries } - queriesBefore
        let rssLoaded = residentMB()

        // Claims: POST through node k, GET through node k+1.
        let lookupTimes = Box<[Double]>([])
        try await forEach(0..<lookups, concurrency: min(concurrency, 16)) { i in
            let key = Encoding.hex(SHA256.hash(Array("fleet-bench-\(i)-\(ids.first ?? "")".utf8)))
            let owner = Encoding.hex(SHA256.hash(Array("secret-\(i)".utf8)))
            let body = "{\"lookup_key\":\"\(key)\",\"sealed\":\"c2VhbGVk\",\"owner\":\"\(owner)\"}"
            _ = try await http("POST", "http://127.0.0.1:\(ports[i % 3])/pairing/v2/claim", body: body)
            let start = ContinuousClock.now
            let status = try await http("GET", "http://127.0.0.1:\(ports[(i + 1) % 3])/pairing/v2/claim/\(key)", body: nil)
            guard status == 200 else { throw BenchError("lookup answered \(status)") }
            lookupTimes.withLock { $0.append(milliseconds(ContinuousClock.now - start)) }
        }

        print("fleet-bench: \(instances) instances and \(instances) clients over 3 in-process nodes, one PostgreSQL \(db.port), concurrency \(concurrency)")
        print(String(format: "BENCH fleet_registrations_per_s %.0f /s", Double(instances) / regSeconds))
        print(String(format: "BENCH fleet_connect_ms_p99 %.1f ms", percentile(connectTimes.withLock { $0 }, 99)))
        print(String(format: "BENCH fleet_connect_ms_p50 %.1f ms", percentile(connectTimes.withLock { $0 }, 50)))
        print(String(format: "BENCH fleet_claim_lookup_ms_p99 %.1f ms", percentile(lookupTimes.withLock { $0 }, 99)))
        print(String(format: "BENCH fleet_queries_per_connect %.2f queries", Double(queries) / Double(instances)))
        print(String(format: "BENCH fleet_process_rss_mb %.0f MB", rssLoaded))
        print(String(format: "BENCH fleet_rss_per_node_mb %.0f MB", (rssLoaded - rssBefore) / 3))
        for socket in sockets.withLock({ $0 }) { socket.close() }
    }

    struct BenchError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    /// Runs `body` for every element with at most `concurrency` in flight.
    static func forEach(_ range: Range<Int>, concurrency: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = range.lowerBound
            while next < range.upperBound && next - range.lowerBound < concurrency {
                let i = next
                group.addTask { try await body(i) }
                next += 1
            }
            while try await group.next() != nil {
                guard next < range.upperBound else { continue }
                let i = next
                group.addTask { try await body(i) }
                next += 1
            }
        }
    }

    static func http(_ method: String, _ url: String, body: String?) async throws -> Int {
        guard let u = URL(string: url) else { throw BenchError("bad url") }
        var request = URLRequest(url: u)
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "content-type")
        }
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
    static func milliseconds(_ d: Duration) -> Double { seconds(d) * 1000 }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1)]
    }

    /// This process's resident set, from /proc/self/status.
    static func residentMB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kb = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kb / 1024
    }
}
