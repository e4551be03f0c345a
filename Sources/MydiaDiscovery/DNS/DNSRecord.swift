/// A DNS record type code (RFC 1035 §3.2.2; the ones DNS-SD needs are named).
public struct DNSRecordType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let a = DNSRecordType(rawValue: 1)
    public static let ptr = DNSRecordType(rawValue: 12)
    public static let txt = DNSRecordType(rawValue: 16)
    public static let aaaa = DNSRecordType(rawValue: 28)
    public static let srv = DNSRecordType(rawValue: 33)
    public static let nsec = DNSRecordType(rawValue: 47)
    /// Only in questions: every type.
    public static let any = DNSRecordType(rawValue: 255)

    public var description: String {
        switch self {
        case .a: "A"
        case .ptr: "PTR"
        case .txt: "TXT"
        case .aaaa: "AAAA"
        case .srv: "SRV"
        case .nsec: "NSEC"
        case .any: "ANY"
        default: "TYPE\(rawValue)"
        }
    }
}

/// One question: a name and a type, class IN. `unicastResponse` is mDNS's QU bit (RFC 6762 §5.4).
public struct DNSQuestion: Sendable, Hashable {
    /// The name asked about.
    public var name: DNSName
    /// The type asked for (``DNSRecordType/any`` for all).
    public var type: DNSRecordType
    /// The QU bit: the querier would like a unicast answer.
    public var unicastResponse: Bool

    /// A question; QM (multicast answer wanted) unless `unicastResponse`.
    public init(name: DNSName, type: DNSRecordType, unicastResponse: Bool = false) {
        self.name = name
        self.type = type
        self.unicastResponse = unicastResponse
    }

    /// Whether a record answers this question (same name; same type, or ANY).
    public func isAnswered(by record: DNSResourceRecord) -> Bool {
        (type == .any || type == record.type) && name == record.name
    }
}

/// A record's data, decoded for the types DNS-SD uses and kept as bytes for the rest.
public enum DNSRecordData: Sendable, Hashable {
    /// IPv4 address, 4 bytes.
    case a([UInt8])
    /// IPv6 address, 16 bytes.
    case aaaa([UInt8])
    case ptr(DNSName)
    case srv(priority: UInt16, weight: UInt16, port: UInt16, target: DNSName)
    /// Character strings, each at most 255 bytes (RFC 6763 §6: one `key=value` each).
    case txt([[UInt8]])
    /// Any other type, its data as received.
    case other(DNSRecordType, [UInt8])

    /// The record type this data belongs to.
    public var type: DNSRecordType {
        switch self {
        case .a: .a
        case .aaaa: .aaaa
        case .ptr: .ptr
        case .srv: .srv
        case .txt: .txt
        case .other(let type, _): type
        }
    }
}

/// A resource record of class IN. `cacheFlush` is mDNS's top bit of the class field
/// (RFC 6762 §10.2): set on records the sender owns uniquely (SRV, TXT, A), clear on shared PTRs.
public struct DNSResourceRecord: Sendable, Hashable {
    /// The owner name.
    public var name: DNSName
    /// Seconds the record may be cached; 0 = goodbye.
    public var ttl: UInt32
    /// The cache-flush bit (a unique record replaces older data of its name and type).
    public var cacheFlush: Bool
    /// Type and data.
    public var data: DNSRecordData

    /// A record from its parts.
    public init(name: DNSName, ttl: UInt32, cacheFlush: Bool = false, data: DNSRecordData) {
        self.name = name
        self.ttl = ttl
        self.cacheFlush = cacheFlush
        self.data = data
    }

    /// The record type (from its data).
    public var type: DNSRecordType { data.type }

    /// The same record with another TTL (0 = goodbye, RFC 6762 §10.1).
    public func withTTL(_ ttl: UInt32) -> DNSResourceRecord {
        var copy = self
        copy.ttl = ttl
        return copy
    }

    /// Same name, type and data: the identity of a record in a cache, whatever its TTL.
    public func sameRecord(as other: DNSResourceRecord) -> Bool {
        name == other.name && data == other.data
    }
}
