import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP forwarder standing in for the direct listener's network path: the server
/// announces the forwarder's port as its direct URL, so a test can cut the direct path mid-body
/// (`cut()`: listener and every connection closed at once) and bring it back on the same port
/// (`restore()`), and can slow it down so a cut lands inside a segment. Plain sockets and one
/// thread per direction: simple enough to trust in a test.
final class TCPForwarder: Sendable {
    private struct State {
        var listener: Int32 = -1
        var sockets: Set<Int32> = []
        var bytesToClient = 0
        var connections = 0
        var bytesPerSecond: Int?
    }

    let port: Int
    private let target: Int
    private let socketBuffer: Int32?
    private let state = Mutex(State())

    /// Listens on a free loopback port and forwards to `127.0.0.1:target`.
    /// - Parameter socketBuffer: if set, the send and receive buffers of both sockets of every
    ///   connection (so what the forwarder itself holds stays small and known).
    init(target: Int, socketBuffer: Int? = nil) throws {
        self.target = target
        self.socketBuffer = socketBuffer.map { Int32($0) }
        let (fd, port) = try Self.listen(port: 0)
        self.port = port
        state.withLock { $0.listener = fd }
        startAccepting(fd)
    }

    /// Bytes forwarded from the server to clients so far.
    var bytesToClient: Int { state.withLock { $0.bytesToClient } }
    /// Connections accepted so far.
    var connections: Int { state.withLock { $0.connections } }

    /// Limits each server→client direction to about `bytesPerSecond` (nil: unlimited).
    func throttle(_ bytesPerSecond: Int?) { state.withLock { $0.bytesPerSecond = bytesPerSecond } }

    /// Closes the listener and every open connection: the direct path is gone mid-stream.
    func cut() {
        let (listener, sockets) = state.withLock { state in
            defer { state.listener = -1; state.sockets = [] }
            return (state.listener, state.sockets)
        }
        if listener >= 0 { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }
        for fd in sockets { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    /// Listens again on the same port.
    func restore() throws {
        let (fd, _) = try Self.listen(port: port)
        state.withLock { $0.listener = fd }
        startAccepting(fd)
    }

    private func startAccepting(_ listener: Int32) {
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }
                let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                if var size = socketBuffer {
                    for fd in [client, upstream] {
                        for option in [SO_SNDBUF, SO_RCVBUF] { setsockopt(fd, SOL_SOCKET, option, &size, socklen_t(MemoryLayout<Int32>.size)) }
                    }
                }
                var address = Self.loopback(port: target)
                let connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                guard connected == 0 else { close(client); close(upstream); continue }
                let live = state.withLock { state -> Bool in
                    guard state.listener == listener else { return false }
                    state.sockets.formUnion([client, upstream])
                    state.connections += 1
                    return true
                }
                guard live else { close(client); close(upstream); return }
                pump(from: client, to: upstream, toClient: false)
                pump(from: upstream, to: client, toClient: true)
            }
        }
    }

    private func pump(from source: Int32, to destination: Int32, toClient: Bool) {
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 8192)
            while true {
                let limit = toClient ? state.withLock { $0.bytesPerSecond } : nil
                let want = limit.map { max(1024, min(buffer.count, $0 / 20)) } ?? buffer.count
                let n = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, want) }
                guard n > 0 else { break }
                var sent = 0
                while sent < n {
                    let m = buffer.withUnsafeBytes { write(destination, $0.baseAddress! + sent, n - sent) }
                    guard m > 0 else { break }
                    sent += m
                }
                guard sent == n else { break }
                if toClient { state.withLock { $0.bytesToClient += n } }
                if let limit { usleep(UInt32(Double(n) / Double(limit) * 1_000_000)) }
            }
            shutdown(source, Int32(SHUT_RDWR))
            shutdown(destination, Int32(SHUT_RDWR))
            state.withLock { $0.sockets.remove(source); $0.sockets.remove(destination) }
            close(source)
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private static func listen(port: Int) throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = loopback(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 64) == 0 else {
            close(fd)
            throw CocoaError(.fileWriteUnknown)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: actual.sin_port)))
    }

    /// A free loopback port (bound and released; good enough for a test).
    static func freePort() throws -> Int {
        let (fd, port) = try listen(port: 0)
        close(fd)
        return port
    }
}
