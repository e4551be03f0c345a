import Foundation

/// The relay URL a person types is an origin — `https://host[:port]` or `wss://host[:port]`, or
/// `http://`/`ws://` on loopback only (PROTOCOL.md §11.2, §12.5). Everything else is derived.
public struct RelayOrigin: Sendable, Equatable, CustomStringConvertible {
    /// Why a relay URL is refused.
    public enum Error: Swift.Error, Equatable, Sendable, CustomStringConvertible {
        case invalid(String)
        case plaintextOffLoopback(String)

        public var description: String {
            switch self {
            case .invalid(let s): "'\(s)' is not a relay URL — use https://host[:port] or wss://host[:port]."
            case .plaintextOffLoopback(let s): "'\(s)' is unencrypted and not on this machine — use https:// or wss://."
            }
        }
    }

    public let host: String
    public let port: Int
    public let isSecure: Bool

    public init(_ text: String) throws(Error) {
        guard let url = URL(string: text.trimmingCharacters(in: .whitespaces)), let scheme = url.scheme?.lowercased(),
              let host = url.host, !host.isEmpty
        else { throw .invalid(text) }
        let secure: Bool
        switch scheme {
        case "https", "wss": secure = true
        case "http", "ws": secure = false
        default: throw .invalid(text)
        }
        let path = url.path
        guard path.isEmpty || path == "/", url.query == nil else { throw .invalid(text) }
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        if !secure && !Self.isLoopback(bare) { throw .plaintextOffLoopback(text) }
        self.host = bare
        port = url.port ?? (secure ? 443 : 80)
        isSecure = secure
    }

    /// "Loopback" means a literal 127.0.0.0/8 address or ::1 (§12.5) — not the name `localhost`.
    /// Accepts the bracketed form `[::1]` too.
    public static func isLoopback(_ host: String) -> Bool {
        if host == "::1" || host == "[::1]" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) else { return false }
        return parts[0] == "127"
    }

    /// `host[:port]` as a `Host` header or URL carries it: an IPv6 address in brackets, the port
    /// left out when it is the scheme's default.
    public var authority: String {
        let h = host.contains(":") ? "[\(host)]" : host
        let defaultPort = isSecure ? 443 : 80
        return port == defaultPort ? h : "\(h):\(port)"
    }

    /// `https://host[:port]` (or `http://` on loopback).
    public var httpOrigin: String { "\(isSecure ? "https" : "http")://\(authority)" }
    /// The client WebSocket endpoint.
    public var clientWebSocketURL: String { "\(isSecure ? "wss" : "ws")://\(authority)\(Self.clientWebSocketPath)" }
    /// The instance WebSocket endpoint.
    public var instanceWebSocketURL: String { "\(isSecure ? "wss" : "ws")://\(authority)\(Self.instanceWebSocketPath)" }
    /// The path of the client endpoint (§2.2).
    public static let clientWebSocketPath = "/relay/client/websocket"
    /// The path of the instance endpoint (§2.1).
    public static let instanceWebSocketPath = "/relay/tunnel/websocket"
    /// `…/pairing/v2/claim` and `…/pairing/v2/claim/{lookup}`.
    public func claimURL(lookupHex: String? = nil) -> String {
        httpOrigin + "/pairing/v2/claim" + (lookupHex.map { "/\($0)" } ?? "")
    }

    public var description: String { httpOrigin }
}
