public import Foundation
public import MydiaCrypto
import MydiaWire

/// What an instance announces: one DNS-SD service instance of `_mydia._tcp.local.` (PROTOCOL.md §9)
/// and the records that describe it (RFC 6763 §4–§6).
public struct ServiceAdvertisement: Sendable, Hashable {
    /// `_mydia._tcp.local.`
    public static let serviceType = DNSName("_mydia._tcp.local.")
    /// The DNS-SD service type enumeration name (RFC 6763 §9).
    public static let enumerationName = DNSName("_services._dns-sd._udp.local.")
    /// RFC 6762 §10: 120 s for records naming a host (SRV, A), 4500 s (75 min) for the others.
    public static let hostTTL: UInt32 = 120
    /// TTL of PTR and TXT records.
    public static let otherTTL: UInt32 = 4500

    /// The instance label (the first label of the service instance name).
    public var instanceLabel: String
    /// The host label (`<label>.local.` carries the A records).
    public var hostLabel: String
    /// The direct HTTPS port.
    public var port: UInt16
    /// The TXT pairs (§9: `v`, then `id` and `name`, or `h`).
    public var txt: TXTRecord

    /// An advertisement; labels are cleaned and cut to 63 bytes.
    public init(instanceLabel: String, hostLabel: String, port: UInt16, txt: TXTRecord) {
        self.instanceLabel = Self.label(instanceLabel)
        self.hostLabel = Self.label(hostLabel)
        self.port = port
        self.txt = txt
    }

    /// `enabled` mode: the instance label is the instance name, the host label is derived from the
    /// id (stable), TXT `v=1`, `id`, `name`.
    public static func enabled(instanceID: String, instanceName: String, port: UInt16) -> ServiceAdvertisement {
        let name = DisplayText.name(instanceName)
        return ServiceAdvertisement(
            instanceLabel: name.isEmpty ? "mydia" : name, hostLabel: "mydia-" + String(instanceID.lowercased().filter(\.isHexDigit).prefix(12)),
            port: port, txt: TXTRecord([("v", "1"), ("id", instanceID.lowercased()), ("name", name)]))
    }

    /// `private` mode: the instance label is the hour's tag, TXT `v=1`, `h=<tag>` and nothing
    /// else; `hostLabel` should be random per hour (§12.12).
    public static func `private`(discoveryKey: SecretBytes, at date: Date, hostLabel: String, port: UInt16) -> ServiceAdvertisement {
        let tag = PrivateTag.tag(key: discoveryKey, at: date)
        return ServiceAdvertisement(instanceLabel: tag, hostLabel: hostLabel, port: port, txt: TXTRecord([("v", "1"), ("h", tag)]))
    }

    /// `<instanceLabel>._mydia._tcp.local.`
    public var instanceName: DNSName { Self.serviceType.prepending(instanceLabel) }
    /// `<hostLabel>.local.`
    public var hostName: DNSName { DNSName(labels: [hostLabel, "local"]) }

    /// Every record, for a link whose addresses are `ipv4` (4 bytes each).
    public func records(ipv4: [[UInt8]]) -> [DNSResourceRecord] {
        [
            DNSResourceRecord(name: Self.serviceType, ttl: Self.otherTTL, data: .ptr(instanceName)),
            DNSResourceRecord(name: Self.enumerationName, ttl: Self.otherTTL, data: .ptr(Self.serviceType)),
            DNSResourceRecord(name: instanceName, ttl: Self.hostTTL, cacheFlush: true,
                              data: .srv(priority: 0, weight: 0, port: port, target: hostName)),
            DNSResourceRecord(name: instanceName, ttl: Self.otherTTL, cacheFlush: true, data: .txt(txt.strings)),
        ] + ipv4.map { DNSResourceRecord(name: hostName, ttl: Self.hostTTL, cacheFlush: true, data: .a($0)) }
    }

    /// A DNS label: control characters dropped, at most 63 bytes of UTF-8, cut between characters.
    static func label(_ text: String) -> String {
        var out = ""
        var bytes = 0
        for c in DisplayText.sanitized(text) {
            let n = String(c).utf8.count
            guard bytes + n <= 63 else { break }
            out.append(c)
            bytes += n
        }
        return out
    }
}
