import Foundation
import Logging
import MydiaAPI
import MydiaConnection
import MydiaCrypto
public import MydiaDiscovery

/// Whether and where a client session browses the LAN for its server (PROTOCOL.md §9).
public struct DiscoveryOptions: Sendable {
    /// Browse at all.
    public var enabled: Bool
    /// Interfaces to browse on; nil = every multicast interface, followed as they come and go.
    public var interfaces: [MDNSInterface]?
    /// 5353 on a real network.
    public var port: Int

    /// Options; the defaults browse every multicast interface on port 5353.
    public init(enabled: Bool = true, interfaces: [MDNSInterface]? = nil, port: Int = 5353) {
        self.enabled = enabled
        self.interfaces = interfaces
        self.port = port
    }

    /// Every multicast interface (the default).
    public static let automatic = DiscoveryOptions()
    /// No browsing.
    public static let off = DiscoveryOptions(enabled: false)

    /// From `MYDIA_DISCOVERY`: unset or `auto` = ``automatic``, `off` = ``off``, otherwise a
    /// comma-separated list of interface names (`lo` to find a server on this machine). `make test`
    /// sets `off`, so test runs send no multicast onto the machine's real network.
    public static func fromEnvironment(_ environment: [String: String]? = nil) -> DiscoveryOptions {
        let environment = environment ?? ProcessInfo.processInfo.environment
        guard let value = environment["MYDIA_DISCOVERY"]?.trimmingCharacters(in: .whitespaces), !value.isEmpty, value != "auto" else {
            return .automatic
        }
        if value == "off" { return .off }
        return DiscoveryOptions(interfaces: value.split(separator: ",").compactMap { MDNSInterface.named(String($0)) })
    }
}

/// Feeds the ConnectionManager the `https://address:port` of every LAN service that is the paired
/// instance — recognised by its TXT `id` (enabled mode) or its hourly tag (private mode) — as
/// discovered direct candidates. They are probed like any candidate: pinned, never trusted for
/// having been discovered (§9: discovery never bypasses the certificate pin).
struct LANDiscovery: Sendable {
    let options: DiscoveryOptions
    let instanceID: String
    let discoveryKey: SecretBytes?
    let manager: ConnectionManager
    let logger: Logger
    var now: @Sendable () -> Date = { Date() }
    /// How often the interface list is compared (automatic mode).
    var interfaceCheck: Duration = .seconds(5)

    init(options: DiscoveryOptions, credentials: ServerCredentials, manager: ConnectionManager, logger: Logger) {
        self.options = options
        self.instanceID = credentials.instanceID
        self.discoveryKey = credentials.discoveryKey.flatMap { Encoding.fromBase64($0) }.map { SecretBytes(copying: $0) }
        self.manager = manager
        self.logger = logger
    }

    /// Browses until cancelled; with automatic interfaces the browser starts over whenever the
    /// machine's multicast interfaces change (another Wi-Fi, a cable plugged in).
    func run() async {
        guard options.enabled else { return }
        while !Task.isCancelled {
            let interfaces = options.interfaces ?? MDNSInterface.available()
            let browser = MDNSBrowser(configuration: .init(interfaces: interfaces, port: options.port), logger: logger)
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    do { try await browser.run() } catch { logger.notice("LAN discovery unavailable", metadata: ["reason": "\(error)"]) }
                }
                group.addTask { await feed(from: browser) }
                group.addTask {
                    // Ends (and so restarts the browser) when the interfaces change.
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interfaceCheck)
                        if options.interfaces == nil, MDNSInterface.available() != interfaces { return }
                    }
                }
                await group.next()
                group.cancelAll()
            }
            if options.interfaces != nil || interfaces.isEmpty {
                // Fixed interfaces that failed, or none at all: wait for the next check before trying again.
                try? await Task.sleep(for: interfaceCheck)
            }
        }
    }

    private func feed(from browser: MDNSBrowser) async {
        // nil at first, so a restarted browser also clears what the previous one had found.
        var last: [URL]?
        for await services in await browser.updates() {
            let urls = Self.candidates(in: services, instanceID: instanceID, discoveryKey: discoveryKey, at: now())
            guard urls != last else { continue }
            last = urls
            logger.info("LAN candidates", metadata: ["urls": "\(urls.map(\.absoluteString))"])
            await manager.setDiscoveredCandidates(urls)
        }
    }

    /// At most this many LAN candidates: anyone on the LAN can announce the paired id, and each
    /// address with a wrong certificate costs a probe and a relay handshake before it is held off.
    static let maximumCandidates = 8

    /// The direct URLs of the services that are the paired instance.
    static func candidates(in services: [DiscoveredService], instanceID: String, discoveryKey: SecretBytes?, at date: Date) -> [URL] {
        var seen = Set<URL>()
        return Array(services.filter { $0.isInstance(instanceID, discoveryKey: discoveryKey, at: date) }
            .flatMap(\.directURLs).filter { seen.insert($0).inserted }.prefix(maximumCandidates))
    }
}
