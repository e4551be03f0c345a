import Foundation
import MydiaCrypto
import MydiaTestSupport

/// `mydia-fleet-bench`: a load simulation of a relay fleet (PROTOCOL.md §15, docs/FLEET.md). The
/// bench starts its own PostgreSQL server (Debian's binaries, loopback, a temporary directory),
/// three `mydia-relay` nodes on it as child processes (the release binary next to this one), and
/// several load processes (this binary again with `--worker K`), each playing a share of the
/// instances and their clients. N instances register round-robin over the nodes; N clients each
/// connect through a node that does not hold their instance, are answered `moved` and connect
/// again at the named node; claims are published through one node and looked up through another.
///
///     mydia-fleet-bench [--instances N] [--concurrency C] [--lookups L] [--workers W]
///
/// N defaults to 10,000, C (requests in flight over all load processes) to 64, L to 1,000, W to
/// one load process per 3,500 instances. Prints:
///     BENCH fleet_registrations_per_s <n> /s
///     BENCH fleet_connects_per_s <n> /s          (connect → moved → connect → connected, all clients)
///     BENCH fleet_connect_ms_p99 <ms> ms
///     BENCH fleet_claim_lookup_ms_p99 <ms> ms    (GET through another node than the POST)
///     BENCH fleet_queries_per_connect <n> queries (the database's transactions per client connect)
///     BENCH fleet_node_rss_mb <mb> MB            (the largest node, all instances registered)
@main
struct FleetBench {
    static func main() async throws {
        let args = CommandLine.arguments
        func option(_ name: String, _ fallback: Int) -> Int {
            guard let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]), v > 0 else { return fallback }
            return v
        }
        let instances = option("--instances", 10_000)
        let concurrency = option("--concurrency", 64)
        if let i = args.firstIndex(of: "--worker"), i + 1 < args.count, let index = Int(args[i + 1]) {
            let ports = (args.firstIndex(of: "--ports").flatMap { $0 + 1 < args.count ? args[$0 + 1] : nil } ?? "")
                .split(separator: ",").compactMap { Int($0) }
            guard !ports.isEmpty else { throw FleetBenchError("a worker needs --ports P1,P2,P3") }
            try await FleetWorker.run(index: index, workers: option("--workers", 1), instances: instances, ports: ports, concurrency: concurrency)
            return
        }
        let options = FleetCoordinator.Options(
            instances: instances, concurrency: concurrency, lookups: option("--lookups", 1000),
            workers: option("--workers", max(1, (instances + 3499) / 3500)))
        guard TestPostgres.isInstalled else {
            print("fleet-bench: SKIPPED — \(TestPostgres.skipReason)")
            return
        }
        guard let relay = sibling("mydia-relay") else {
            print("fleet-bench: SKIPPED — build mydia-relay next to this binary (swift build -c release --product mydia-relay)")
            return
        }
        let failures = try await FleetCoordinator.run(options, relayBinary: relay)
        if failures > 0 { exit(1) }
    }

    /// An executable next to this one.
    static func sibling(_ name: String) -> String? {
        let own = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let path = own.deletingLastPathComponent().appendingPathComponent(name).path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }
}
