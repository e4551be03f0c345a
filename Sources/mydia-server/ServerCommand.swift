import ArgumentParser
import Foundation
import Logging
import MydiaLibrary
import MydiaServer
import MydiaSystem
import MydiaWire

@main
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mydia-server",
        abstract: "The mydia home media server: a library folder, pairing, GraphQL and HLS, reachable through a relay and directly over HTTPS.",
        subcommands: [Serve.self, Claim.self, Devices.self, Revoke.self, Approve.self, Deny.self, User.self],
        defaultSubcommand: Serve.self)

    static func main() async {
        MallocTuning.apply()
        await main(nil)
    }
}

struct StateOption: ParsableArguments {
    @Option(name: .customLong("state-dir"), help: "Directory with the server's identity, certificate and database.")
    var stateDirectory: String
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server (the default).")

    @Option(help: "Relay origin, e.g. https://relay.example.org or http://127.0.0.1:PORT. Repeat it for the nodes of a relay fleet: the first is preferred, the next is tried when a connection ends.") var relay: [String]
    @Option(help: "Library folder (Movies/…, Shows/…).") var library: String
    @OptionGroup var state: StateOption
    @Option(help: "Bind address of the direct HTTPS listener.") var host = "0.0.0.0"
    @Option(name: .customLong("direct-port"), help: "Port of the direct HTTPS listener (0 = any free port).") var directPort = 0
    @Option(name: .customLong("direct-url"), help: "Extra https://host:port to announce (repeatable; e.g. a port forward).") var directURLs: [String] = []
    @Option(help: "LAN discovery (mDNS): enabled (name and id visible), private (an hourly tag only paired clients recognise) or disabled.")
    var discovery = "private"
    @Option(name: .customLong("discovery-interface"), help: "Announce on this interface only (repeatable; default: where the direct listener is reachable).")
    var discoveryInterfaces: [String] = []
    @Option(help: "Name shown to clients.") var name: String?
    @Flag(name: .customLong("claim-on-start"), help: "Issue a pairing code as soon as the server is ready.") var claimOnStart = false
    @Flag(name: .customLong("print-ready"), help: "Print events (ready, claim, pairing) as JSON lines.") var printReady = false
    @Flag(name: .customLong("approve-pairing"), help: "Hold each pairing until the operator approves it (mydia-server approve CHECK).") var approvePairing = false
    @Flag(name: .customLong("no-player"), help: "Switch the player API off: every /api route answers 404 PLAYER_DISABLED.") var noPlayer = false
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.") var logLevel = "notice"
    @Option(name: .customLong("relay-ca"), help: ArgumentHelp(
        "A PEM CA certificate to trust for the relay's TLS, besides the system's (test labs, self-hosted relays).", valueName: "file"))
    var relayCA: String?
    @Option(name: .customLong("stock-generation"), help: ArgumentHelp(
        "Answer GraphQL as a stock server of this schema generation: current or 2026-07-01 (for testing clients).",
        valueName: "generation", visibility: .hidden))
    var stockGeneration = StockGeneration.current.rawValue

    func run() async throws {
        var relayCAPEM: String?
        if let relayCA {
            guard let data = FileManager.default.contents(atPath: relayCA), let pem = String(data: data, encoding: .utf8),
                  pem.contains("-----BEGIN CERTIFICATE-----")
            else { throw ValidationError("--relay-ca \(relayCA) is not a readable PEM certificate file.") }
            relayCAPEM = pem
        }
        let origins: [RelayOrigin]
        do { origins = try relay.map { (url) throws(RelayOrigin.Error) in try RelayOrigin(url) } } catch { throw ValidationError(error.description) }
        guard let origin = origins.first else { throw ValidationError("--relay is required.") }
        for url in directURLs where !(url.hasPrefix("https://")) { throw ValidationError("--direct-url must be https://host:port, not \(url)") }
        guard let generation = StockGeneration(rawValue: stockGeneration) else {
            throw ValidationError("--stock-generation must be current or 2026-07-01, not \(stockGeneration)")
        }
        var logger = Logger(label: "mydia.server") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .notice
        var config = ServerConfiguration(relay: origin, libraryPath: library, stateDirectory: state.stateDirectory, logger: logger)
        config.additionalRelays = Array(origins.dropFirst())
        config.directHost = host
        config.directPort = directPort
        config.extraDirectURLs = directURLs
        config.instanceName = name
        guard config.selectDiscovery(discovery) else { throw ValidationError("--discovery must be enabled, private or disabled, not \(discovery)") }
        config.discoveryInterfaceNames = discoveryInterfaces
        config.claimOnStart = claimOnStart
        config.printReady = printReady
        config.approvePairing = approvePairing
        config.playerEnabled = !noPlayer
        config.relayCAPEM = relayCAPEM
        config.stockGeneration = generation
        let server = try await ServerHost(configuration: config)
        try await withSignals { try await server.run() }
    }
}

struct Claim: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Issue a pairing code on the running server and show it with a QR code.")
    @OptionGroup var state: StateOption

    func run() throws {
        let (status, json) = try ControlClientCall(state).call("POST", "/claim")
        guard status == 200, let code = json["claim_code"] as? String else { throw failure(json) }
        print("Claim code: \(code.prefix(3)) \(code.suffix(3))")
        print("Expires:    \(json["claim_expires_at"] ?? "")")
        if let qr = json["qr"] as? String { printQR(qr) }
    }
}

struct Devices: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List paired devices.")
    @OptionGroup var state: StateOption

    func run() throws {
        let (status, json) = try ControlClientCall(state).call("GET", "/devices")
        guard status == 200, let devices = json["devices"] as? [[String: Any]] else { throw failure(json) }
        if devices.isEmpty { print("No paired devices."); return }
        for d in devices {
            let revoked = (d["revoked"] as? Bool) == true ? "  (revoked)" : ""
            print("\(d["id"] ?? "")  \(d["name"] ?? "")  [\(d["platform"] ?? "")]  last seen \(d["last_seen_at"] ?? "")\(revoked)")
        }
    }
}

struct Revoke: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Revoke a device; its sessions close at once.")
    @Argument(help: "The device id (see `devices`).") var id: String
    @OptionGroup var state: StateOption

    func run() throws {
        let (status, json) = try ControlClientCall(state).call("POST", "/devices/\(id)/revoke")
        guard status == 200 else { throw failure(json) }
        print("Revoked \(id).")
    }
}

struct Approve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Approve a waiting pairing by its 6-digit pairing check.")
    @Argument var check: String
    @OptionGroup var state: StateOption
    func run() throws { try answer(check, "approve", state) }
}

struct Deny: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Refuse a waiting pairing by its 6-digit pairing check.")
    @Argument var check: String
    @OptionGroup var state: StateOption
    func run() throws { try answer(check, "deny", state) }
}

private func answer(_ check: String, _ verdict: String, _ state: StateOption) throws {
    let digits = check.filter(\.isNumber)
    let (status, json) = try ControlClientCall(state).call("POST", "/pairings/\(digits)/\(verdict)")
    guard status == 200 else { throw failure(json) }
    print(verdict == "approve" ? "Approved." : "Denied.")
}

private struct ControlClientCall {
    let state: StateOption
    init(_ state: StateOption) { self.state = state }
    func call(_ method: String, _ path: String) throws -> (Int, [String: Any]) {
        do { return try ControlClient(stateDirectory: state.stateDirectory).request(method, path) } catch { throw ValidationError(error.description) }
    }
}

private func failure(_ json: [String: Any]) -> any Error {
    ValidationError((json["message"] as? String) ?? "The server refused the request.")
}

/// Draws the QR payload in the terminal (libqrencode, half blocks).
private func printQR(_ text: String) {
    do { print(try TerminalQR.render(text), terminator: "") } catch { print("(\(error))") }
}

/// Runs `body` until it ends or SIGINT/SIGTERM arrives, then cancels it so everything shuts down.
private func withSignals(_ body: @escaping @Sendable () async throws -> Void) async throws {
    let task = Task { try await body() }
    let trap = SignalTrap([SIGINT, SIGTERM]) { _ in task.cancel() }
    defer { trap.cancel() }
    do { try await task.value } catch is CancellationError {}
}
