import Foundation
import MydiaCrypto
import MydiaTestSupport
import MydiaWire

/// The parent process of the fleet bench: the database, the three nodes, the load processes, the
/// claim lookups and the figures.
enum FleetCoordinator {
    struct Options {
        var instances: Int
        var concurrency: Int
        var lookups: Int
        var workers: Int
    }

    /// A load process and its pipes.
    final class Worker: @unchecked Sendable {  // set once in init
        let process: Process
        let lines: LineReader
        private let commands: FileHandle

        init(binary: String, index: Int, options: Options, ports: [Int]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            let share = max(1, options.concurrency / options.workers)
            process.arguments = [
                "--worker", "\(index)", "--workers", "\(options.workers)", "--instances", "\(options.instances)",
                "--concurrency", "\(share)", "--ports", ports.map(String.init).joined(separator: ","),
            ]
            let input = Pipe(), output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            try process.run()
            self.process = process
            commands = input.fileHandleForWriting
            lines = LineReader(output.fileHandleForReading)
        }

        func send(_ command: String) { commands.write(Data((command + "\n").utf8)) }

        /// The next line that starts with `word`, split on spaces.
        func expect(_ word: String) async throws -> [Substring] {
            guard let line = await lines.nextLine() else { throw FleetBenchError("load process \(process.processIdentifier) ended before `\(word)`") }
            let fields = line.split(separator: " ")
            guard fields.first == Substring(word) else { throw FleetBenchError("load process said `\(line.prefix(80))`, expected `\(word)`") }
            return fields
        }
    }

    /// Runs the whole bench and prints its figures; returns how many registrations, connects and
    /// lookups failed.
    static func run(_ options: Options, relayBinary: String) async throws -> Int {
        FleetWorker.raiseFileLimit()  // the nodes and load processes inherit it
        let db = try await TestPostgres.start()
        defer { db.shutdown() }
        var nodes: [FleetNode] = []
        defer { for node in nodes { node.stop() } }
        for _ in 0..<3 {
            nodes.append(try FleetNode(binary: relayBinary, port: try TestPostgres.freePort(), store: db.url))
        }
        let ports = nodes.map(\.port)
        // Every node migrates (or finds) the schema before it serves: wait for it, then a moment
        // for the last node to see it.
        for attempt in 0... {
            if (try? await db.psql("SELECT version FROM relay_schema_version")) != nil { break }
            guard attempt < 100 else { throw FleetBenchError("the nodes never created the schema") }
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .seconds(3))
        let idleRSS = nodes.map { $0.memory("VmRSS") }

        let binary = CommandLine.arguments[0]
        var workers: [Worker] = []
        defer {
            for worker in workers where worker.process.isRunning { worker.process.terminate() }
        }
        for k in 0..<options.workers {
            workers.append(try Worker(binary: binary, index: k, options: options, ports: ports))
        }
        for worker in workers { _ = try await worker.expect("ready") }

        // Registrations.
        let regStart = ContinuousClock.now
        for worker in workers { worker.send("register") }
        var registered = 0, failedRegistrations = 0
        for worker in workers {
            let fields = try await worker.expect("registered")
            registered += fields.count > 1 ? Int(fields[1]) ?? 0 : 0
            failedRegistrations += fields.count > 2 ? Int(fields[2]) ?? 0 : 0
        }
        let regSeconds = seconds(ContinuousClock.now - regStart)
        try await Task.sleep(for: .seconds(3))
        let registeredRSS = nodes.map { $0.memory("VmRSS") }

        // Connects. PostgreSQL 15 publishes a backend's counters when it has been idle for a
        // moment (at most 10 s later): settle before each reading. The reading's own
        // transaction counts in the next one.
        try await Task.sleep(for: .seconds(11))
        let transactionsBefore = try await transactions(db)
        let connectStart = ContinuousClock.now
        for worker in workers { worker.send("connect") }
        var connectTimes: [Double] = []
        var failedConnects = 0
        for worker in workers {
            let fields = try await worker.expect("connected")
            failedConnects += fields.count > 2 ? Int(fields[2]) ?? 0 : 0
            if fields.count > 3 { connectTimes += fields[3].split(separator: ",").compactMap { Double($0) } }
        }
        let connectSeconds = seconds(ContinuousClock.now - connectStart)
        let connectedRSS = nodes.map { $0.memory("VmRSS") }
        try await Task.sleep(for: .seconds(11))
        let queries = try await transactions(db) - transactionsBefore - 1

        // Claims: POST through node k, GET through node k+1, each home from its own address.
        let lookupTimes = Box<[Double]>([])
        let failedLookups = Box(0)
        try await FleetWorker.forEach(0..<options.lookups, concurrency: 16) { i in
            let key = Encoding.hex(SHA256.hash(Array("fleet-bench-\(i)-\(UUID().uuidString)".utf8)))
            let owner = Encoding.hex(SHA256.hash(Array("secret-\(i)".utf8)))
            let body = "{\"lookup_key\":\"\(key)\",\"sealed\":\"c2VhbGVk\",\"owner\":\"\(owner)\"}"
            let source = LoopbackHTTP.sourceAddress(i)
            let outcome: (Int, Double)? = await blocking {
                guard (try? LoopbackHTTP.request("POST", port: ports[i % 3], path: "/pairing/v2/claim", body: body, source: source)) == 204 else { return nil }
                let start = ContinuousClock.now
                guard let status = try? LoopbackHTTP.request("GET", port: ports[(i + 1) % 3], path: "/pairing/v2/claim/\(key)", body: nil, source: source) else { return nil }
                return (status, seconds(ContinuousClock.now - start) * 1000)
            }
            guard let outcome, outcome.0 == 200 else {
                failedLookups.withLock { $0 += 1 }
                return
            }
            lookupTimes.withLock { $0.append(outcome.1) }
        }

        for worker in workers { worker.send("stop") }
        for worker in workers { worker.process.waitUntilExit() }
        // The kernel updates VmHWM lazily; a later VmRSS reading can be higher.
        let peakRSS = nodes.indices.map { max(nodes[$0].memory("VmHWM"), connectedRSS[$0], registeredRSS[$0]) }

        let connects = connectTimes.count
        print("fleet-bench: \(registered) instances and \(connects) clients over 3 child nodes, \(options.workers) load processes, one PostgreSQL, concurrency \(options.concurrency)")
        for (n, node) in nodes.enumerated() {
            let perInstance = (registeredRSS[n] - idleRSS[n]) * 1024 / Double(max(1, registered / 3))
            print(String(format: "fleet-bench: node %d (pid %d): RSS %.1f MB idle, %.1f MB with its instances (%.0f KiB each), %.1f MB after the connects, peak %.1f MB",
                         n + 1, node.pid, idleRSS[n], registeredRSS[n], perInstance, connectedRSS[n], peakRSS[n]))
        }
        let failed = failedRegistrations + failedConnects + failedLookups.withLock { $0 }
        if failed > 0 {
            print("fleet-bench: FAILED — \(failedRegistrations) registrations, \(failedConnects) connects, \(failedLookups.withLock { $0 }) lookups")
        }
        print(String(format: "BENCH fleet_registrations_per_s %.0f /s", Double(registered) / regSeconds))
        print(String(format: "BENCH fleet_connects_per_s %.0f /s", Double(connects) / connectSeconds))
        print(String(format: "BENCH fleet_connect_ms_p99 %.1f ms", percentile(connectTimes, 99)))
        print(String(format: "BENCH fleet_connect_ms_p50 %.1f ms", percentile(connectTimes, 50)))
        print(String(format: "BENCH fleet_claim_lookup_ms_p99 %.1f ms", percentile(lookupTimes.withLock { $0 }, 99)))
        print(String(format: "BENCH fleet_queries_per_connect %.2f queries", Double(queries) / Double(max(1, connects))))
        print(String(format: "BENCH fleet_node_rss_mb %.1f MB", registeredRSS.max() ?? 0))
        return failed
    }

    /// Committed transactions in the bench's database so far (each statement a node sends outside
    /// a transaction block is one).
    static func transactions(_ db: TestPostgres) async throws -> Int {
        let text = try await db.psql("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'postgres'")
        guard let n = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw FleetBenchError("pg_stat_database said \(text)") }
        return n
    }

    /// Runs a blocking call on a dispatch thread, off the cooperative pool.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: body()) }
        }
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1)]
    }
}
