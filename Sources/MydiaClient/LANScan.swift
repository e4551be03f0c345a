public import Foundation
public import Logging
public import MydiaAPI
import MydiaCrypto
public import MydiaDiscovery

/// One mydia server seen on the LAN, as `mydia-tui discover` lists it.
public struct LANServer: Sendable, Equatable {
    /// The instance id: announced (enabled mode) or recognised by its tag (private mode, paired).
    public var instanceID: String?
    /// The announced name (enabled) or the paired server's stored name (private, paired).
    public var name: String?
    /// IPv4 and IPv6 addresses as text.
    public var addresses: [String]
    /// The direct HTTPS port.
    public var port: UInt16
    /// Whether it is a server this device is paired with.
    public var paired: Bool
    /// `enabled`, `private`, or nil for a `_mydia._tcp` service that is neither.
    public var mode: DiscoveryMode?
}

/// A one-off browse of the LAN (PROTOCOL.md §9) for `mydia-tui discover`.
public enum LANScan {
    /// Browses for `duration` and returns what was seen, each service matched against the paired
    /// servers in `store` (by TXT `id`, or by the private tag under each stored discovery key).
    public static func run(store: CredentialStore, interfaces: [MDNSInterface], duration: Duration,
                           logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) async throws -> [LANServer] {
        let browser = MDNSBrowser(configuration: .init(interfaces: interfaces), logger: logger)
        let services = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await Task.sleep(for: duration) }
            group.addTask { try await browser.run() }  // returns early only by failing
            try await group.next()
            let seen = await browser.services
            group.cancelAll()
            return seen
        }
        return identify(services, paired: await store.all, at: now())
    }

    /// What each service is, given the paired servers.
    static func identify(_ services: [DiscoveredService], paired: [ServerCredentials], at date: Date) -> [LANServer] {
        services.map { service in
            let match = paired.first { c in
                service.isInstance(c.instanceID, discoveryKey: c.discoveryKey.flatMap { Encoding.fromBase64($0) }.map { SecretBytes(copying: $0) },
                                   at: date)
            }
            return LANServer(instanceID: service.instanceID ?? match?.instanceID, name: service.name ?? match?.instanceName,
                             addresses: service.addresses, port: service.port, paired: match != nil, mode: service.mode)
        }
    }
}
