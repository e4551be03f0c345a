import Foundation
import Testing
import Logging
import MydiaTestSupport
@testable import MydiaDiscovery

/// Whether multicast works on the loopback interface here: two sockets on a scratch port, one
/// datagram from one to the other. The live tests are skipped (with this reason) when it does not.
enum LoopbackMulticast {
    static let interface: MDNSInterface? = {
        guard let lo = MDNSInterface.loopback() else { return nil }
        // Three scratch ports, so one that happens to be taken does not skip the suite.
        return (0..<3).contains { _ in probe(lo) } ? lo : nil
    }()

    /// Plain blocking sockets (no event loop: this runs inside a trait, possibly on the
    /// cooperative pool): one datagram to 224.0.0.251 on a scratch port must come back.
    private static func probe(_ lo: MDNSInterface) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(50_000 + Int.random(in: 0..<10_000)).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { return false }
        var request = lo.membershipRequest(group: MDNSSocket.groupIPv4)
        var interface = lo.inAddress
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        guard setsockopt(fd, Int32(IPPROTO_IP), IP_ADD_MEMBERSHIP, &request, socklen_t(MemoryLayout<ip_mreq>.size)) == 0,
              setsockopt(fd, Int32(IPPROTO_IP), IP_MULTICAST_IF, &interface, socklen_t(MemoryLayout<in_addr>.size)) == 0,
              setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size)) == 0
        else { return false }
        var group = address
        _ = inet_pton(AF_INET, MDNSSocket.groupIPv4, &group.sin_addr)
        let payload: [UInt8] = Array("mydia-probe".utf8)
        let sent = withUnsafePointer(to: &group) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, payload, payload.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard sent == payload.count else { return false }
        var buffer = [UInt8](repeating: 0, count: 64)
        let received = recv(fd, &buffer, buffer.count, 0)
        return received == payload.count && Array(buffer.prefix(received)) == payload
    }

    static var available: Bool { interface != nil }
    static let skipReason: Comment = "multicast on the loopback interface does not work here (no lo, or a sandbox without IP multicast)"

    static var quiet: Logger {
        var logger = Logger(label: "test.mdns")
        logger.logLevel = .critical
        return logger
    }

    /// Waits until the browser publishes services that satisfy `predicate`, and returns them.
    static func wait(_ browser: MDNSBrowser, _ limit: Duration = .seconds(20),
                     until predicate: @escaping @Sendable ([DiscoveredService]) -> Bool) async throws -> [DiscoveredService] {
        try await withTimeout(limit) {
            for await services in await browser.updates() where predicate(services) { return services }
            throw TimeoutError()
        }
    }
}
