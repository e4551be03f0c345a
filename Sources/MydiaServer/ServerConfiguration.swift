// NIOPosix (the relay HTTP client) makes CNIOLinux declare the C socket types too.
#if canImport(CNIOLinux)
import CNIOLinux
#endif
import Foundation
public import Logging
public import MydiaDiscovery
public import MydiaLibrary
public import MydiaListener
import MydiaSystem
public import MydiaWire

/// Everything `mydia-server` needs to run (PROTOCOL.md §1; the command line maps onto this).
public struct ServerConfiguration: Sendable {
    public var relay: RelayOrigin
    /// Further nodes of the same relay fleet, tried in order after `relay` when a connection ends
    /// (PROTOCOL.md §15). Pairing claims go to whichever of them the link is registered with.
    public var additionalRelays: [RelayOrigin] = []
    /// `--relay-ca`: PEM of a CA trusted for the relay's TLS besides the system roots (§12.5).
    public var relayCAPEM: String?
    public var libraryPath: String
    public var stateDirectory: String
    /// Bind address of the direct HTTPS listener.
    public var directHost: String = "0.0.0.0"
    /// 0 = pick a free port.
    public var directPort: Int = 0
    /// Connection caps and timeouts of the direct listener (PROTOCOL.md §13.19).
    public var directListener = ListenerGuard.Limits()
    /// Extra `https://host:port` URLs announced after the detected ones (containers, port forwards).
    public var extraDirectURLs: [String] = []
    public var instanceName: String?
    public var claimOnStart = false
    public var approvePairing = false
    /// `--no-player`: the instance API answers every `/api` route with 404 `PLAYER_DISABLED`, as a
    /// stock server with its player switched off does (PROTOCOL.md §14.2.4). Pairing still works.
    public var playerEnabled = true
    /// `--stock-generation`: the stock GraphQL schema generation to answer as; `.legacy20260701`
    /// refuses what `schema-2026-07-01.graphql` lacks, for testing clients against older servers
    /// (PROTOCOL.md §14.2.8).
    public var stockGeneration: StockGeneration = .current
    /// Events as JSON lines on stdout instead of sentences.
    public var printReady = false
    /// LAN discovery (PROTOCOL.md §9). `mydia-server` defaults to `private`; a configuration made
    /// in code (tests, embedding) announces nothing unless asked.
    public var discovery: DiscoveryMode = .disabled
    /// Interfaces to announce on by name (`eth0`, `lo`); empty = the interfaces the direct
    /// listener is reachable on (every multicast interface for a wildcard bind).
    public var discoveryInterfaceNames: [String] = []
    public var logger: Logger

    public init(relay: RelayOrigin, libraryPath: String, stateDirectory: String, logger: Logger) {
        self.relay = relay
        self.libraryPath = libraryPath
        self.stateDirectory = stateDirectory
        self.logger = logger
    }

    /// Sets ``discovery`` from its name (`enabled`, `private`, `disabled`); false for anything else.
    public mutating func selectDiscovery(_ name: String) -> Bool {
        guard let mode = DiscoveryMode(rawValue: name.lowercased()) else { return false }
        discovery = mode
        return true
    }

    /// Where the responder runs: the named interfaces, else the one holding a specific bind
    /// address (loopback included), else every multicast interface.
    func discoveryInterfaces() -> [MDNSInterface] {
        if !discoveryInterfaceNames.isEmpty { return discoveryInterfaceNames.compactMap(MDNSInterface.named) }
        if directHost == "0.0.0.0" || directHost == "::" { return MDNSInterface.available() }
        return MDNSInterface.holding(directHost).map { [$0] } ?? []
    }

    /// §1 `direct_urls`: with a loopback bind and no explicit URL, exactly the loopback URL;
    /// otherwise this machine's non-loopback addresses, then the explicit ones.
    func directURLs(port: Int) -> [String] {
        if RelayOrigin.isLoopback(directHost) {
            return extraDirectURLs.isEmpty ? ["https://\(directHost):\(port)"] : extraDirectURLs
        }
        let hosts = directHost == "0.0.0.0" || directHost == "::" ? NetworkInterfaces.list().filter { $0.ipv4 != nil && $0.isUp && !$0.isLoopback }.map(\.address) : [directHost]
        let detected = hosts.map { $0.contains(":") ? "https://[\($0)]:\(port)" : "https://\($0):\(port)" }
        var seen = Set<String>()
        return (detected + extraDirectURLs).filter { seen.insert($0).inserted }
    }
}
