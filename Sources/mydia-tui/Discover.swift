import ArgumentParser
import Foundation
import MydiaClient
import MydiaDiscovery

struct Discover: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the mydia servers that answer on the local network (mDNS), and which of them this device is paired with.")

    @Flag(help: "Print a JSON array of {instance_id, name, addresses, port, paired, mode}.") var json = false
    @Option(help: "How long to listen, in seconds.") var timeout: Double = 5
    @Option(name: .customLong("interface"), help: "Listen on this interface only (repeatable; default: every multicast interface).")
    var interfaces: [String] = []
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard timeout > 0, timeout <= 600 else { throw ValidationError("--timeout must be between 0 and 600 seconds.") }
    }

    func run() async throws {
        try await runReporting {
            let logger = global.logger()
            let store = try global.store(logger)
            var chosen = MDNSInterface.available()
            if !interfaces.isEmpty {
                chosen = try interfaces.map { name in
                    guard let i = MDNSInterface.named(name) else {
                        throw CommandFailure(.usage, "There is no interface \(name) with an IPv4 address; see `ip addr`.")
                    }
                    return i
                }
            }
            guard !chosen.isEmpty else { throw CommandFailure(.unreachable, "No network interface with multicast is up; connect to a network first.") }
            let servers = try await LANScan.run(store: store, interfaces: chosen, duration: .milliseconds(Int64(timeout * 1000)), logger: logger)
            if json {
                printJSON(servers.map { s -> [String: Any] in
                    [
                        "instance_id": s.instanceID ?? NSNull(), "name": s.name ?? NSNull(), "addresses": s.addresses,
                        "port": Int(s.port), "paired": s.paired, "mode": s.mode?.rawValue ?? NSNull(),
                    ]
                })
                return
            }
            if servers.isEmpty {
                print("No mydia server answered on \(chosen.map(\.name).joined(separator: ", ")) within \(timeout.formatted()) s.")
                return
            }
            for s in servers {
                let who = s.name ?? (s.mode == .private ? "(private server you are not paired with)" : "(unnamed)")
                let urls = s.addresses.map { $0.contains(":") ? "https://[\($0)]:\(s.port)" : "https://\($0):\(s.port)" }
                print("\(who)\(s.paired ? "  [paired]" : "")  \(s.mode?.rawValue ?? "unknown mode")  \(urls.joined(separator: " "))")
            }
        }
    }
}
