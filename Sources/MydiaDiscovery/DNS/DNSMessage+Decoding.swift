extension DNSMessage {
    /// Parses a DNS message, following name compression pointers (RFC 1035 §4.1.4). Records of a
    /// class other than IN are skipped. Malformed input throws a ``DecodingError``; it never traps,
    /// loops or allocates more than the input's size suggests.
    public static func decode(_ bytes: some Collection<UInt8>) throws(DecodingError) -> DNSMessage {
        let buffer = Array(bytes)
        guard buffer.count <= maximumSize else { throw .tooLarge }
        var reader = DNSReader(bytes: buffer)
        let id = try reader.uint16()
        let flags = try reader.uint16()
        let qd = Int(try reader.uint16()), an = Int(try reader.uint16())
        let ns = Int(try reader.uint16()), ar = Int(try reader.uint16())
        // A question takes at least 5 bytes and a record 11: larger counts cannot be honest.
        guard qd * 5 + (an + ns + ar) * 11 <= buffer.count - reader.offset else { throw .truncated }

        var message = DNSMessage(id: id, flags: flags)
        for _ in 0..<qd {
            let name = try reader.name()
            let type = DNSRecordType(rawValue: try reader.uint16())
            let qclass = try reader.uint16()
            guard qclass & 0x7fff == 1 || qclass & 0x7fff == 255 else { continue }
            message.questions.append(DNSQuestion(name: name, type: type, unicastResponse: qclass & 0x8000 != 0))
        }
        message.answers = try reader.records(an)
        message.authorities = try reader.records(ns)
        message.additionals = try reader.records(ar)
        return message
    }
}

/// A cursor over a message's bytes.
struct DNSReader {
    let bytes: [UInt8]
    var offset = 0

    /// A name may take at most 255 bytes on the wire (RFC 1035 §3.1).
    static let maximumNameLength = 255

    mutating func uint8() throws(DNSMessage.DecodingError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func uint16() throws(DNSMessage.DecodingError) -> UInt16 {
        UInt16(try uint8()) << 8 | UInt16(try uint8())
    }

    mutating func uint32() throws(DNSMessage.DecodingError) -> UInt32 {
        UInt32(try uint16()) << 16 | UInt32(try uint16())
    }

    mutating func take(_ count: Int) throws(DNSMessage.DecodingError) -> [UInt8] {
        guard count >= 0, count <= bytes.count - offset else { throw .truncated }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// A name at the cursor. Each pointer must point before everything this name has read so far,
    /// so following pointers always moves backwards and ends.
    mutating func name() throws(DNSMessage.DecodingError) -> DNSName {
        var labels: [String] = []
        var position = offset
        var limit = offset
        var jumped = false
        var length = 1
        while true {
            guard position < bytes.count else { throw .truncated }
            let byte = bytes[position]
            switch byte & 0xc0 {
            case 0x00:
                if byte == 0 {
                    if !jumped { offset = position + 1 }
                    return DNSName(labels: labels)
                }
                let count = Int(byte)
                guard position + 1 + count <= bytes.count else { throw .truncated }
                length += count + 1
                guard length <= Self.maximumNameLength else { throw .badName("longer than 255 bytes") }
                // DNS-SD names are UTF-8 (RFC 6763 §4.1.3). Replacing bad bytes with U+FFFD would make
                // a label that re-encodes longer than it came (found by the `dns` fuzz target).
                guard let label = String(validating: bytes[(position + 1)..<(position + 1 + count)], as: UTF8.self) else {
                    throw .badName("a label is not UTF-8")
                }
                labels.append(label)
                position += 1 + count
            case 0xc0:
                guard position + 1 < bytes.count else { throw .truncated }
                let target = Int(byte & 0x3f) << 8 | Int(bytes[position + 1])
                guard target < limit else { throw .badName("compression pointer does not point backwards") }
                if !jumped { offset = position + 2 }
                jumped = true
                position = target
                limit = target
            default:
                throw .badName("unsupported label type")
            }
        }
    }

    mutating func records(_ count: Int) throws(DNSMessage.DecodingError) -> [DNSResourceRecord] {
        var out: [DNSResourceRecord] = []
        for _ in 0..<count {
            if let record = try record() { out.append(record) }
        }
        return out
    }

    /// One record; `nil` for a class other than IN (skipped).
    mutating func record() throws(DNSMessage.DecodingError) -> DNSResourceRecord? {
        let name = try name()
        let type = DNSRecordType(rawValue: try uint16())
        let rclass = try uint16()
        let ttl = try uint32()
        let length = Int(try uint16())
        guard length <= bytes.count - offset else { throw .truncated }
        let end = offset + length
        defer { offset = end }
        guard rclass & 0x7fff == 1 else { return nil }
        let data: DNSRecordData
        switch type {
        case .a:
            guard length == 4 else { throw .badRecord("an A record's data is not 4 bytes") }
            data = .a(try take(4))
        case .aaaa:
            guard length == 16 else { throw .badRecord("an AAAA record's data is not 16 bytes") }
            data = .aaaa(try take(16))
        case .ptr:
            data = .ptr(try nameWithin(end))
        case .srv:
            guard length >= 7 else { throw .badRecord("an SRV record is too short") }
            let priority = try uint16(), weight = try uint16(), port = try uint16()
            data = .srv(priority: priority, weight: weight, port: port, target: try nameWithin(end))
        case .txt:
            var strings: [[UInt8]] = []
            while offset < end {
                let count = Int(try uint8())
                guard offset + count <= end else { throw .badRecord("a TXT string runs past its record") }
                strings.append(try take(count))
            }
            data = .txt(strings)
        default:
            data = .other(type, try take(length))
        }
        return DNSResourceRecord(name: name, ttl: ttl, cacheFlush: rclass & 0x8000 != 0, data: data)
    }

    /// A name that must end inside the record data ending at `end`.
    private mutating func nameWithin(_ end: Int) throws(DNSMessage.DecodingError) -> DNSName {
        let name = try name()
        guard offset <= end else { throw .badRecord("a name runs past its record") }
        return name
    }
}
