import Glibc

/// This machine's interface addresses, read once with `getifaddrs` — the one walk of that list
/// for the server's `direct_urls`, the client's network watcher and mDNS's interface choice.
public enum NetworkInterfaces {
    /// One address of one interface.
    public struct Address: Sendable, Equatable {
        /// The interface name (`eth0`, `lo`).
        public var name: String
        /// The interface index (`if_nametoindex`).
        public var index: Int
        /// The address in numeric form (`192.0.2.7`, `fe80::1`).
        public var address: String
        /// The 4 bytes of an IPv4 address in network order; `nil` for IPv6.
        public var ipv4: [UInt8]?
        /// The 4 bytes of its IPv4 netmask; `nil` for IPv6 or when the kernel gives none.
        public var ipv4Netmask: [UInt8]? = nil
        /// Whether the interface is up.
        public var isUp: Bool
        /// Whether it is a loopback interface.
        public var isLoopback: Bool
        /// Whether it supports multicast.
        public var supportsMulticast: Bool
    }

    /// Every IPv4 and IPv6 address of every interface, in the kernel's order.
    public static func list() -> [Address] {
        var head: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&head) == 0, let first = head else { return [] }
        defer { freeifaddrs(head) }
        var out: [Address] = []
        for p in sequence(first: first, next: { $0.pointee.ifa_next }) {
            guard let addr = p.pointee.ifa_addr else { continue }
            let family = Int32(addr.pointee.sa_family)
            guard family == AF_INET || family == AF_INET6 else { continue }
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            let length = socklen_t(family == AF_INET ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size)
            guard getnameinfo(addr, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 else { continue }
            let ipv4: [UInt8]? = family == AF_INET
                ? addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in withUnsafeBytes(of: sin.pointee.sin_addr.s_addr) { Array($0) } }
                : nil
            let flags = UInt32(p.pointee.ifa_flags)
            let netmask: [UInt8]? = family == AF_INET ? p.pointee.ifa_netmask.map { mask in
                mask.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in withUnsafeBytes(of: sin.pointee.sin_addr.s_addr) { Array($0) } }
            } : nil
            out.append(Address(
                name: String(cString: p.pointee.ifa_name), index: Int(if_nametoindex(p.pointee.ifa_name)),
                address: String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self),
                ipv4: ipv4, ipv4Netmask: netmask, isUp: flags & UInt32(IFF_UP) != 0, isLoopback: flags & UInt32(IFF_LOOPBACK) != 0,
                supportsMulticast: flags & UInt32(IFF_MULTICAST) != 0))
        }
        return out
    }
}
