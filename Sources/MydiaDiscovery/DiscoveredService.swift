public import Foundation
public import MydiaCrypto
import MydiaWire

/// One `_mydia._tcp` service instance seen on the LAN, resolved to a port and addresses.
public struct DiscoveredService: Sendable, Hashable {
    /// The instance label (an instance name in enabled mode, the hour's tag in private mode).
    public var instanceLabel: String
    /// The SRV target host.
    public var host: DNSName
    /// The SRV port (the direct HTTPS port).
    public var port: UInt16
    /// The TXT key/value pairs.
    public var txt: TXTRecord
    /// IPv4 and IPv6 addresses as text, sorted, IPv4 first.
    public var addresses: [String]

    /// A service from its resolved parts.
    public init(instanceLabel: String, host: DNSName, port: UInt16, txt: TXTRecord, addresses: [String]) {
        self.instanceLabel = instanceLabel
        self.host = host
        self.port = port
        self.txt = txt
        self.addresses = addresses
    }

    /// `enabled` when TXT carries `id`, `private` when it carries `h`, nil for anything else.
    public var mode: DiscoveryMode? {
        if txt["id"] != nil { return .enabled }
        if txt["h"] != nil { return .private }
        return nil
    }

    /// The announced `instance_id` (enabled mode), lowercased.
    public var instanceID: String? { txt["id"].map { $0.lowercased() } }

    /// The announced name (enabled mode), stripped of control characters (§12.18).
    public var name: String? { txt["name"].map(DisplayText.name) }

    /// Whether this is the paired instance `instanceID` whose discovery key is `discoveryKey`:
    /// the TXT `id` in enabled mode, the TXT `h` tag (this hour, the one before or after) in
    /// private mode (§9, §11.17).
    public func isInstance(_ instanceID: String, discoveryKey: SecretBytes?, at date: Date) -> Bool {
        if let id = self.instanceID { return id == instanceID.lowercased() }
        if let tag = txt["h"], let discoveryKey { return PrivateTag.matches(tag, key: discoveryKey, at: date) }
        return false
    }

    /// `https://<address>:<port>` for each address (IPv6 in brackets; link-local IPv6 left out,
    /// as a URL cannot carry its zone portably).
    public var directURLs: [URL] {
        addresses.compactMap { a in
            if a.contains(":") {
                guard !a.lowercased().hasPrefix("fe80") else { return nil }
                return URL(string: "https://[\(a)]:\(port)")
            }
            return URL(string: "https://\(a):\(port)")
        }
    }
}
