import MydiaDiscovery

/// The mDNS packet decoder (PROTOCOL.md §9): anything from the LAN either decodes or throws a typed
/// error, never traps; and a packet that decodes re-encodes (names uncompressed) to bytes that
/// decode again to the same encoding — what we answer from is what we read.
extension FuzzTargets {
    static func dnsMessage(_ data: [UInt8]) {
        guard let message = try? DNSMessage.decode(data) else { return }
        let encoded = message.encode()
        guard let again = try? DNSMessage.decode(encoded) else {
            preconditionFailure("a decoded DNS message re-encodes to bytes that do not decode: \(encoded)")
        }
        precondition(again.encode() == encoded, "a DNS message changes across encode → decode → encode")
    }
}
