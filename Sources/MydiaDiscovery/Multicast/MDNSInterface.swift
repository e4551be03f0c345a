// NIOPosix makes CNIOLinux declare the C socket types too (MemberImportVisibility).
#if canImport(CNIOLinux)
import CNIOLinux
#endif
import Foundation
import MydiaSystem

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
    /// The IPv4 netmask of `ipv4` (`255.255.255.0` as 4 bytes); the attached subnet.
    public var netmask: [UInt8]

    public init(name: String, index: Int, ipv4: [UInt8], netmask: [UInt8] = [255, 255, 255, 255]) {
        self.name = name
        self.index = index
        self.ipv4 = ipv4
        self.netmask = netmask.count == 4 ? netmask : [255, 255, 255, 255]
    }

    /// Whether `address` (4 bytes) is on this interface's attached subnet (RFC 6762 §11): the only
    /// sources a responder answers, so it is never a reflector for a query from off the link.
    public func isOnLink(_ address: [UInt8]) -> Bool {
        address.count == 4 && zip(zip(address, ipv4), netmask).allSatisfy { pair, mask in pair.0 & mask == pair.1 & mask }
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
        list().filter { !$0.address.isLoopback && $0.address.supportsMulticast }.map(\.interface)
    }

    /// The loopback interface (multicast on `lo` works on Linux without the MULTICAST flag):
    /// tests and a server and client on the same machine.
    public static func loopback() -> MDNSInterface? {
        list().first { $0.address.isLoopback }?.interface
    }

    /// The interface called `name` (`eth0`, `lo`), if it is up and has an IPv4 address.
    public static func named(_ name: String) -> MDNSInterface? {
        list().first { $0.interface.name == name }?.interface
    }

    /// The interface that holds `address` (an IPv4 literal), if any.
    public static func holding(_ address: String) -> MDNSInterface? {
        list().first { $0.interface.address == address }?.interface
    }

    /// Up interfaces with an IPv4 address (the first one of each).
    private static func list() -> [(interface: MDNSInterface, address: NetworkInterfaces.Address)] {
        var out: [(interface: MDNSInterface, address: NetworkInterfaces.Address)] = []
        for a in NetworkInterfaces.list() where a.isUp {
            guard let ipv4 = a.ipv4, !out.contains(where: { $0.interface.name == a.name }) else { continue }
            out.append((MDNSInterface(name: a.name, index: a.index, ipv4: ipv4, netmask: a.ipv4Netmask ?? [255, 255, 255, 255]), a))
        }
        return out
    }
}
