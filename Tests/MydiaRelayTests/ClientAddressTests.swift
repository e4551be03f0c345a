import MydiaTestSupport
import NIOCore
import Testing

@testable import MydiaRelay

@Suite struct ClientAddressTests {
    @Test func ipv6IsKeyedByItsSlash64AndIPv4ByItsAddress() throws {
        let a = try SocketAddress(ipAddress: "2001:db8:1:2:aaaa::1", port: 1)
        let b = try SocketAddress(ipAddress: "2001:db8:1:2:ffff:eeee:dddd:cccc", port: 2)
        let c = try SocketAddress(ipAddress: "2001:db8:1:3::1", port: 1)
        #expect(ClientAddress.key(for: a) == ClientAddress.key(for: b))
        #expect(ClientAddress.key(for: a) != ClientAddress.key(for: c))
        #expect(ClientAddress.key(for: try SocketAddress(ipAddress: "192.0.2.7", port: 9)) == "192.0.2.7")
        #expect(ClientAddress.key(for: try SocketAddress(ipAddress: "::ffff:192.0.2.7", port: 9)) == "192.0.2.7")
        #expect(ClientAddress.key(for: nil) == "unknown")
    }

    @Test func ipv6TextParsesWithCompressionAndRejectsGarbage() {
        #expect(ClientAddress.ipv6Groups("::1") == [0, 0, 0, 0, 0, 0, 0, 1])
        #expect(ClientAddress.ipv6Groups("fe80::1%eth0") == [0xfe80, 0, 0, 0, 0, 0, 0, 1])
        #expect(ClientAddress.ipv6Groups("1:2:3:4:5:6:7:8") == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(ClientAddress.ipv6Groups("::ffff:1.2.3.4") == [0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304])
        for bad in ["1:2:3", "1::2::3", "12345::", "g::1", ""] { #expect(ClientAddress.ipv6Groups(bad) == nil, "\(bad)") }
    }
}
