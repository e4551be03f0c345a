import Foundation
import Glibc

/// A WebSocket client on a plain blocking socket that never reads after the upgrade: with a 4 KiB
/// receive buffer it stops taking the relay's output as soon as the kernel's buffers are full —
/// the attacker of PROTOCOL.md §12.4's budgets. One task uses it at a time.
final class RawWebSocket: @unchecked Sendable {
    enum Failure: Error { case connect(Int32), upgrade(String) }

    private let fd: Int32

    /// Connects to the relay on 127.0.0.1:`port` and upgrades `path`.
    init(port: Int, path: String, receiveBuffer: Int32 = 4096) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var size = receiveBuffer
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw Failure.connect(errno)
        }
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        _ = write(Array(request.utf8))
        // Read the answer's head byte by byte, so no frame after it is taken off the socket.
        var head: [UInt8] = []
        var byte: UInt8 = 0
        while !head.suffix(4).elementsEqual([13, 10, 13, 10]) {
            guard recv(fd, &byte, 1, 0) == 1 else { break }
            head.append(byte)
        }
        let text = String(decoding: head, as: UTF8.self)
        guard text.hasPrefix("HTTP/1.1 101") else {
            close(fd)
            throw Failure.upgrade(text)
        }
    }

    deinit { close(fd) }

    /// Sends one masked text message; `false` once the connection is gone (or sending blocked
    /// for 2 s).
    @discardableResult
    func sendText(_ text: String) -> Bool { send(opcode: 0x1, Array(text.utf8)) }

    private func send(opcode: UInt8, _ payload: [UInt8]) -> Bool {
        var frame: [UInt8] = [0x80 | opcode]
        switch payload.count {
        case ..<126: frame.append(0x80 | UInt8(payload.count))
        case ..<65_536: frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xff)]
        default:
            frame.append(0x80 | 127)
            frame += (0..<8).reversed().map { UInt8((payload.count >> ($0 * 8)) & 0xff) }
        }
        let key: [UInt8] = (0..<4).map { _ in UInt8.random(in: 0...255) }
        frame += key
        frame += payload.enumerated().map { $0.element ^ key[$0.offset % 4] }
        return write(frame)
    }

    private func write(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }
}
