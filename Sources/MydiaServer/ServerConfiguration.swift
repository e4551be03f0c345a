// NIOPosix (the relay HTTP client) makes CNIOLinux declare the C socket types too.
#if canImport(CNIOLinux)
import CNIOLinux
#endif
import Foundation
public import Logging
public import MydiaWire

/// Everything `mydia-server` needs to run (PROTOCOL.md §1; the command line maps onto this).
public struct ServerConfiguration: Sendable {
    public var relay: RelayOrigin
    /// `--relay-ca`: PEM of a CA trusted for the relay's TLS besides the system roots (§12.5).
    public var relayCAPEM: String?
    public var libraryPath: String
    public var stateDirectory: String
    /// Bind address of the direct HTTPS listener.
    public var directHost: String = "0.0.0.0"
    /// 0 = pick a free port.
    public var directPort: Int = 0
    /// Extra `https://host:port` URLs announced after the detected ones (containers, port forwards).
    public var extraDirectURLs: [String] = []
    public var instanceName: String?
    public var claimOnStart = false
    public var approvePairing = false
    /// Events as JSON lines on stdout instead of sentences.
    public var printReady = false
    public var logger: Logger

    public init(relay: RelayOrigin, libraryPath: String, stateDirectory: String, logger: Logger) {
        self.relay = relay
        self.libraryPath = libraryPath
        self.stateDirectory = stateDirectory
        self.logger = logger
    }

    /// §1 `direct_urls`: with a loopback bind and no explicit URL, exactly the loopback URL;
    /// otherwise this machine's non-loopback addresses, then the explicit ones.
    func directURLs(port: Int) -> [String] {
        if RelayOrigin.isLoopback(directHost) {
            return extraDirectURLs.isEmpty ? ["https://\(directHost):\(port)"] : extraDirectURLs
        }
        let hosts = directHost == "0.0.0.0" || directHost == "::" ? NetworkInterfaces.addresses() : [directHost]
        let detected = hosts.map { $0.contains(":") ? "https://[\($0)]:\(port)" : "https://\($0):\(port)" }
        var seen = Set<String>()
        return (detected + extraDirectURLs).filter { seen.insert($0).inserted }
    }
}

/// This machine's IPv4 addresses other than loopback (for `direct_urls`).
enum NetworkInterfaces {
    static func addresses() -> [String] {
        var head: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&head) == 0, let first = head else { return [] }
        defer { freeifaddrs(head) }
        var out: [String] = []
        for p in sequence(first: first, next: { $0.pointee.ifa_next }) {
            guard let addr = p.pointee.ifa_addr, addr.pointee.sa_family == sa_family_t(AF_INET),
                  (p.pointee.ifa_flags & UInt32(IFF_UP)) != 0, (p.pointee.ifa_flags & UInt32(IFF_LOOPBACK)) == 0 else { continue }
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(addr, socklen_t(MemoryLayout<sockaddr_in>.size), &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 {
                out.append(String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
        }
        return out
    }
}
