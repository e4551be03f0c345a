import Foundation
import Glibc

/// A minimal blocking HTTP/1.1 client for the claim lookups: one request per connection, sent
/// *from* a chosen loopback address (127.1.x.y). A node limits claim requests per client IP
/// (§11.7: 10 POSTs and 30 GETs a minute), so each simulated home speaks from an address of its
/// own, as homes behind different IPs would.
enum LoopbackHTTP {
    /// The source address of home `index`: 127.1.0.1, 127.1.0.2, … (65,000 of them).
    static func sourceAddress(_ index: Int) -> String {
        let n = index % 65_000
        return "127.1.\(n / 250).\(n % 250 + 1)"
    }

    /// Sends `method path` with an optional JSON body to 127.0.0.1:`port` from `source`, and
    /// returns the status code. Blocking: call it off the cooperative pool.
    static func request(_ method: String, port: Int, path: String, body: String?, source: String) throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FleetBenchError("socket() failed") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_addr.s_addr = inet_addr(source)
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_addr.s_addr = inet_addr("127.0.0.1")
        remote.sin_port = UInt16(port).bigEndian
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw FleetBenchError("cannot bind \(source): errno \(errno)") }
        let connected = withUnsafePointer(to: &remote) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) } }
        guard connected == 0 else { throw FleetBenchError("cannot connect to port \(port): errno \(errno)") }
        let payload = body ?? ""
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if body != nil { head += "Content-Type: application/json\r\n" }
        head += "Content-Length: \(payload.utf8.count)\r\n\r\n"
        let bytes = Array((head + payload).utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw FleetBenchError("send failed: errno \(errno)") }
            sent += n
        }
        // The status line is all we need: "HTTP/1.1 200 OK".
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !response.contains(10) {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            response += chunk[0..<n]
        }
        let statusLine = String(decoding: response.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw FleetBenchError("no HTTP status line from port \(port)") }
        return status
    }
}
