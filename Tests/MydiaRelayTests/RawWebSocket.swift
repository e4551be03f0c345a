import MydiaTestSupport

/// A WebSocket client over a ``RawConnection`` with a 4 KiB receive buffer that never reads after
/// the upgrade: the attacker of PROTOCOL.md §12.4's budgets.
final class RawWebSocket: @unchecked Sendable {
    enum Failure: Error { case upgrade(String) }

    private let connection: RawConnection

    /// Connects to the relay on 127.0.0.1:`port` and upgrades `path`.
    init(port: Int, path: String) throws {
        connection = try RawConnection(port: port, receiveBuffer: 4096)
        connection.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        let head = connection.readHead()
        guard head.hasPrefix("HTTP/1.1 101") else { throw Failure.upgrade(head) }
    }

    /// Sends one masked text message; `false` once the connection is gone (or sending blocked
    /// for 2 s).
    @discardableResult
    func sendText(_ text: String) -> Bool {
        let payload = Array(text.utf8)
        var frame: [UInt8] = [0x81]
        switch payload.count {
        case ..<126: frame.append(0x80 | UInt8(payload.count))
        case ..<65_536: frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xff)]
        default: frame += [0x80 | 127] + (0..<8).reversed().map { UInt8((payload.count >> ($0 * 8)) & 0xff) }
        }
        let key: [UInt8] = (0..<4).map { _ in UInt8.random(in: 0...255) }
        frame += key
        frame += payload.enumerated().map { $0.element ^ key[$0.offset % 4] }
        return connection.send(bytes: frame)
    }
}
