import Foundation

/// Talks to a running server's control socket (`<state-dir>/control.sock`): one HTTP/1.1 request
/// per connection over a Unix domain socket.
public struct ControlClient: Sendable {
    /// Why the control request failed.
    public enum Error: Swift.Error, CustomStringConvertible {
        case notRunning(String)
        case protocolError

        public var description: String {
            switch self {
            case .notRunning(let dir): "No mydia-server is running with the state directory \(dir) — start it first."
            case .protocolError: "The server's control socket gave an unreadable answer."
            }
        }
    }

    let stateDirectory: String

    public init(stateDirectory: String) { self.stateDirectory = stateDirectory }

    /// Sends `method path` and returns the status and the JSON body.
    public func request(_ method: String, _ path: String) throws(Error) -> (status: Int, json: [String: Any]) {
        let socketPath = URL(fileURLWithPath: stateDirectory).appendingPathComponent("control.sock").path
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .notRunning(stateDirectory) }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(socketPath.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw .notRunning(stateDirectory) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in raw.copyBytes(from: bytes + [0]) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw .notRunning(stateDirectory) }
        let request = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var response = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            response += buffer.prefix(n)
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let headerEnd = text.range(of: "\r\n\r\n"),
              let statusText = text.split(separator: " ", maxSplits: 2).dropFirst().first, let status = Int(statusText)
        else { throw .protocolError }
        var body = String(text[headerEnd.upperBound...])
        if text[..<headerEnd.lowerBound].lowercased().contains("transfer-encoding: chunked") { body = Self.dechunk(body) }
        let json = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        return (status, json)
    }

    private static func dechunk(_ body: String) -> String {
        var out = "", rest = Substring(body)
        while let lineEnd = rest.range(of: "\r\n"), let size = Int(rest[..<lineEnd.lowerBound], radix: 16), size > 0 {
            let start = lineEnd.upperBound
            let bytes = Array(rest[start...].utf8)
            out += String(decoding: bytes.prefix(size), as: UTF8.self)
            rest = Substring(String(decoding: bytes.dropFirst(size + 2), as: UTF8.self))
        }
        return out
    }
}
