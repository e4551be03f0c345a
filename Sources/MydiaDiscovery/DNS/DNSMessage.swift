/// A DNS message as mDNS uses it (RFC 1035 §4.1, RFC 6762 §18): header, questions and the three
/// record sections. `decode` never traps on malformed input; `encode` writes names without
/// compression (allowed, and our messages are small).
public struct DNSMessage: Sendable, Hashable {
    /// Why bytes are not a DNS message.
    public enum DecodingError: Error, Equatable, Sendable, CustomStringConvertible {
        case truncated
        case badName(String)
        case badRecord(String)
        case tooLarge

        public var description: String {
            switch self {
            case .truncated: "The DNS message ends in the middle of a field."
            case .badName(let why): "The DNS message has a malformed name (\(why))."
            case .badRecord(let why): "The DNS message has a malformed record (\(why))."
            case .tooLarge: "The DNS message is larger than mDNS allows (9000 bytes)."
            }
        }
    }

    /// mDNS packets are at most 9000 bytes (RFC 6762 §17).
    public static let maximumSize = 9000

    /// Message id: 0 in multicast mDNS, echoed in legacy unicast replies.
    public var id: UInt16
    /// QR, opcode, AA, TC, RD, RA, Z, RCODE as on the wire.
    public var flags: UInt16
    /// Question section.
    public var questions: [DNSQuestion]
    /// Answer section (in a query: known answers, RFC 6762 §7.1).
    public var answers: [DNSResourceRecord]
    /// Authority section (in a probe: the proposed records).
    public var authorities: [DNSResourceRecord]
    /// Additional section.
    public var additionals: [DNSResourceRecord]

    /// A message from its parts.
    public init(id: UInt16 = 0, flags: UInt16 = 0, questions: [DNSQuestion] = [], answers: [DNSResourceRecord] = [],
                authorities: [DNSResourceRecord] = [], additionals: [DNSResourceRecord] = []) {
        self.id = id
        self.flags = flags
        self.questions = questions
        self.answers = answers
        self.authorities = authorities
        self.additionals = additionals
    }

    /// The flags of an mDNS response: QR and AA set (RFC 6762 §18.2, §18.4).
    public static let responseFlags: UInt16 = 0x8400

    /// QR bit: a response rather than a query.
    public var isResponse: Bool { flags & 0x8000 != 0 }
    /// Opcode (0 = standard query; mDNS ignores messages with another opcode, RFC 6762 §18.3).
    public var opcode: UInt16 { (flags >> 11) & 0x0f }
    /// Response code (mDNS ignores messages with a non-zero one, RFC 6762 §18.11).
    public var responseCode: UInt16 { flags & 0x000f }

    /// Every record of the three record sections.
    public var allRecords: [DNSResourceRecord] { answers + authorities + additionals }
}
