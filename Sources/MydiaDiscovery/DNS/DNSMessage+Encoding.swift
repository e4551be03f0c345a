extension DNSMessage {
    /// The message on the wire. Labels longer than 63 bytes are cut there, character strings at
    /// 255 bytes (callers keep within both; cutting keeps the output well-formed regardless).
    public func encode() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        out.appendUInt16(id)
        out.appendUInt16(flags)
        for count in [questions.count, answers.count, authorities.count, additionals.count] {
            out.appendUInt16(UInt16(clamping: count))
        }
        for q in questions {
            out.appendName(q.name)
            out.appendUInt16(q.type.rawValue)
            out.appendUInt16(q.unicastResponse ? 0x8001 : 0x0001)
        }
        for record in answers + authorities + additionals { out.appendRecord(record) }
        return out
    }
}

extension [UInt8] {
    fileprivate mutating func appendUInt16(_ v: UInt16) {
        append(UInt8(v >> 8))
        append(UInt8(v & 0xff))
    }

    fileprivate mutating func appendUInt32(_ v: UInt32) {
        appendUInt16(UInt16(v >> 16))
        appendUInt16(UInt16(v & 0xffff))
    }

    fileprivate mutating func appendName(_ name: DNSName) {
        for label in name.labels {
            // At most 63 bytes, cut at a character boundary so the label stays UTF-8.
            var bytes: [UInt8] = []
            for character in label where bytes.count + character.utf8.count <= 63 { bytes += character.utf8 }
            guard !bytes.isEmpty else { continue }
            append(UInt8(bytes.count))
            append(contentsOf: bytes)
        }
        append(0)
    }

    fileprivate mutating func appendRecord(_ record: DNSResourceRecord) {
        appendName(record.name)
        appendUInt16(record.type.rawValue)
        appendUInt16(record.cacheFlush ? 0x8001 : 0x0001)
        appendUInt32(record.ttl)
        var data: [UInt8] = []
        switch record.data {
        case .a(let bytes), .aaaa(let bytes), .other(_, let bytes):
            data = bytes
        case .ptr(let target):
            data.appendName(target)
        case .srv(let priority, let weight, let port, let target):
            data.appendUInt16(priority)
            data.appendUInt16(weight)
            data.appendUInt16(port)
            data.appendName(target)
        case .txt(let strings):
            // RFC 6763 §6.1: an empty TXT record is one empty string.
            for s in strings.isEmpty ? [[]] : strings {
                let bytes = s.prefix(255)
                data.append(UInt8(bytes.count))
                data.append(contentsOf: bytes)
            }
        }
        appendUInt16(UInt16(clamping: data.count))
        append(contentsOf: data.prefix(Int(UInt16.max)))
    }
}
