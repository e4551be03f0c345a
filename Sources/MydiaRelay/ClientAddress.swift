import Foundation
import NIOCore

/// The key the relay's per-IP limits use: the IPv4 address, or the IPv6 /64 prefix (PROTOCOL.md
/// §12.4, §12.6). An IPv4-mapped IPv6 address counts as its IPv4 address.
enum ClientAddress {
    static func key(for address: SocketAddress?) -> String {
        guard let address, let text = address.ipAddress else { return "unknown" }
        switch address {
        case .v4:
            return text
        case .v6:
            guard let groups = ipv6Groups(text) else { return text }
            if groups[0..<5].allSatisfy({ $0 == 0 }) && groups[5] == 0xffff {
                return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].map(String.init).joined(separator: ".")
            }
            return "v6:" + groups[0..<4].map { String($0, radix: 16) }.joined(separator: ":") + "::/64"
        case .unixDomainSocket:
            return "unix"
        }
    }

    /// The eight 16-bit groups of an IPv6 address in text form (`::` compression, a zone suffix
    /// and a dotted IPv4 tail accepted); `nil` if it does not parse.
    static func ipv6Groups(_ text: String) -> [UInt16]? {
        let address = text.split(separator: "%", maxSplits: 1).first.map(String.init) ?? text
        func parse(_ part: Substring) -> [UInt16]? {
            if part.isEmpty { return [] }
            var groups: [UInt16] = []
            for piece in part.split(separator: ":", omittingEmptySubsequences: false) {
                if piece.contains(".") {
                    let octets = piece.split(separator: ".").compactMap { UInt8($0) }
                    guard octets.count == 4 else { return nil }
                    groups.append(UInt16(octets[0]) << 8 | UInt16(octets[1]))
                    groups.append(UInt16(octets[2]) << 8 | UInt16(octets[3]))
                } else {
                    guard !piece.isEmpty, piece.count <= 4, let g = UInt16(piece, radix: 16) else { return nil }
                    groups.append(g)
                }
            }
            return groups
        }
        let halves = address.components(separatedBy: "::")
        switch halves.count {
        case 1:
            guard let all = parse(Substring(halves[0])), all.count == 8 else { return nil }
            return all
        case 2:
            guard let head = parse(Substring(halves[0])), let tail = parse(Substring(halves[1])),
                head.count + tail.count < 8
            else { return nil }
            return head + [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        default:
            return nil
        }
    }
}
