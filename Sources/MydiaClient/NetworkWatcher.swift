import Foundation
import MydiaConnection

/// Watches this machine's interface addresses and tells the ConnectionManager when they change
/// (PROTOCOL.md §8.2: re-probe at once on a network change) — a laptop moving from home Wi-Fi to a
/// hotspot gets a fresh probe round instead of waiting for the backoff.
struct NetworkWatcher: Sendable {
    let manager: ConnectionManager
    var interval: Duration = .seconds(2)

    func run() async {
        var last = Self.addresses()
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            let now = Self.addresses()
            if now != last {
                last = now
                await manager.networkChanged()
            }
        }
    }

    /// The set of "interface=address" pairs of interfaces that are up.
    static func addresses() -> Set<String> {
        var head: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&head) == 0, let first = head else { return [] }
        defer { freeifaddrs(head) }
        var out = Set<String>()
        for p in sequence(first: first, next: { $0.pointee.ifa_next }) {
            guard let addr = p.pointee.ifa_addr, (p.pointee.ifa_flags & UInt32(IFF_UP)) != 0 else { continue }
            let family = Int32(addr.pointee.sa_family)
            guard family == AF_INET || family == AF_INET6 else { continue }
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            let length = socklen_t(family == AF_INET ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size)
            guard getnameinfo(addr, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 else { continue }
            let name = String(cString: p.pointee.ifa_name)
            out.insert(name + "=" + String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return out
    }
}
