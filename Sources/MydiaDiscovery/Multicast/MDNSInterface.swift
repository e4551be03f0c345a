// NIOPosix makes CNIOLinux declare the C socket types too (MemberImportVisibility).
#if canImport(CNIOLinux)
import CNIOLinux
#endif
import Foundation

/// A network interface mDNS runs on: its name, index and IPv4 address. mDNS is link-local, so
/// each interface gets its own socket and announces only its own address (RFC 6762 §6.2).
public struct MDNSInterface: Sendable, Hashable, CustomStringConvertible {
    /// The interface name (`eth0`).
    public var name: String
    /// The kernel's interface index.
    public var index: Int
    /// The IPv4 address, 4 bytes.
    public var ipv4: [UInt8]

    /// An interface from its parts (normally found by ``available()``, ``loopback()`` or ``named(_:)``).
    public init(name: String, index: Int, ipv4: [UInt8]) {
        self.name = name
        self.index = index
        self.ipv4 = ipv4
    }

    /// Dotted-quad text of ``ipv4``.
    public var address: String { ipv4.map(String.init).joined(separator: ".") }

    public var description: String { "\(name) (\(address))" }

    /// ``ipv4`` as the socket API wants it (IP_MULTICAST_IF).
    var inAddress: in_addr {
        var out = in_addr()
        ipv4.withUnsafeBytes { out.s_addr = $0.loadUnaligned(as: UInt32.self) }
        return out
    }

    /// The IP_ADD_MEMBERSHIP argument joining `group` (dotted quad) on this interface.
    func membershipRequest(group: String) -> ip_mreq {
        var request = ip_mreq()
        request.imr_interface = inAddress
        _ = inet_pton(AF_INET, group, &request.imr_multiaddr)
        return request
    }

    /// Interfaces that are up, support multicast and have an IPv4 address, loopback excluded:
    /// where a server announces and a client browses by default.
    public static func available() -> [MDNSInterface] {
        list().filter { $0.flags & UInt32(IFF_LOOPBACK) == 0 && $0.flags & UInt32(IFF_MULTICAST) != 0 }.map(\.interface)
    }

    /// The loopback interface (multicast on `lo` works on Linux without the MULTICAST flag):
    /// tests and a server and client on the same machine.
    public static func loopback() -> MDNSInterface? {
        list().first { $0.flags & UInt32(IFF_LOOPBACK) != 0 }?.interface
    }

    /// The interface called `name` (`eth0`, `lo`), if it is up and has an IPv4 address.
    public static func named(_ name: String) -> MDNSInterface? {
        list().first { $0.interface.name == name }?.interface
    }

    /// The interface that holds `address` (an IPv4 literal), if any.
    public static func holding(_ address: String) -> MDNSInterface? {
        list().first { $0.interface.address == address }?.interface
    }

    private static func list() -> [(interface: MDNSInterface, flags: UInt32)] {
        var head: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&head) == 0, let first = head else { return [] }
        defer { freeifaddrs(head) }
        var out: [(MDNSInterface, UInt32)] = []
        for p in sequence(first: first, next: { $0.pointee.ifa_next }) {
            let flags = UInt32(p.pointee.ifa_flags)
            guard let addr = p.pointee.ifa_addr, addr.pointee.sa_family == sa_family_t(AF_INET), flags & UInt32(IFF_UP) != 0 else { continue }
            let name = String(cString: p.pointee.ifa_name)
            let bytes = addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                withUnsafeBytes(of: sin.pointee.sin_addr.s_addr) { Array($0) }
            }
            guard !out.contains(where: { $0.0.name == name }) else { continue }
            out.append((MDNSInterface(name: name, index: Int(if_nametoindex(p.pointee.ifa_name)), ipv4: bytes), flags))
        }
        return out
    }
}
