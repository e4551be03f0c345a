import Foundation
import Glibc

/// The base URL of a server reached by URL login (PROTOCOL.md §14.2.1, §14.2.5):
/// `https://host[:port][/prefix]` or `http://…`, without a trailing slash, query, fragment or
/// user info. Every GraphQL request goes to `{base}/api/graphql`.
///
/// `http://` is allowed only when every address the host resolves to is loopback, private
/// (RFC 1918, RFC 4193) or link-local: the password then crosses only a local network in clear.
public struct LoginURL: Sendable, Hashable, CustomStringConvertible {
    /// Why a URL cannot be used; `description` is one plain sentence.
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// Not an `https://` or `http://` URL of a host, or it carries a query, fragment or user info.
        case invalid(String)
        /// `http://` to a host that resolves to an address outside the local ranges.
        case plainHTTPNotLocal(host: String, address: String)
        /// The host name does not resolve.
        case unresolvable(String)

        public var description: String {
            switch self {
            case .invalid(let why): why
            case .plainHTTPNotLocal(let host, let address):
                "http:// would send the password in clear beyond the local network ("
                    + (host == address ? "\(address) is not a local address" : "\(host) resolves to \(address)")
                    + ") — use https://; http:// is accepted only for loopback, private and link-local addresses."
            case .unresolvable(let host): "\(host) cannot be found — check the server's address."
            }
        }
    }

    /// `https` or `http`.
    public enum Scheme: String, Sendable, Hashable {
        case https, http
    }

    /// The scheme.
    public let scheme: Scheme
    /// The host, lower-cased, without IPv6 brackets.
    public let host: String
    /// The port when the URL names one.
    public let port: Int?
    /// `""` or a path prefix such as `/mydia`, without a trailing slash.
    public let path: String

    /// The normalised URL text: `scheme://host[:port][path]`.
    public var string: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "\(scheme.rawValue)://\(h)\(port.map { ":\($0)" } ?? "")\(path)"
    }

    public var description: String { string }

    /// Whether this is `http://` (no TLS).
    public var isPlainHTTP: Bool { scheme == .http }

    /// The warning shown whenever a login uses `http://` (§14.2.5).
    public static let plainHTTPWarning =
        "Warning: this server is reached over http:// — the password crosses the network in clear; use https:// where you can."

    /// Parses and normalises a base URL. Text without a scheme is taken as `https://`.
    /// - Throws: `Error.invalid` with the reason.
    public init(_ text: String) throws(Error) {
        var raw = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if !raw.contains("://") { raw = "https://" + raw }
        guard let url = URL(string: raw), let scheme = url.scheme.flatMap({ Scheme(rawValue: $0.lowercased()) }) else {
            throw .invalid("'\(text)' is not a server URL — give it as https://host[:port].")
        }
        guard var host = url.host, !host.isEmpty else {
            throw .invalid("'\(text)' names no host — give it as https://host[:port].")
        }
        guard url.user == nil, url.password == nil else {
            throw .invalid("The URL must not carry a user name or password — give the user with --user instead.")
        }
        guard url.query == nil, url.fragment == nil, !raw.contains("?"), !raw.contains("#") else {
            throw .invalid("The URL must not carry a query or fragment — give only https://host[:port][/path].")
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if let port = url.port, !(1...65535).contains(port) {
            throw .invalid("'\(text)' has an invalid port.")
        }
        var path = url.path
        while path.hasSuffix("/") { path.removeLast() }
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = url.port
        self.path = path
    }

    /// Checks the plain-HTTP rule and returns the warning to show, if any.
    /// - Parameter resolve: the host's addresses (numeric strings); the default asks the system
    ///   resolver. `nil` when the name does not resolve.
    /// - Returns: `nil` for `https://`; `plainHTTPWarning` for an allowed `http://`.
    /// - Throws: `.plainHTTPNotLocal` naming the first address outside the local ranges, or
    ///   `.unresolvable`.
    public func checkTransportPolicy(resolve: (String) -> [String]? = LoginURL.systemAddresses) throws(Error) -> String? {
        guard isPlainHTTP else { return nil }
        let addresses: [String]
        if Self.numericAddressBytes(host) != nil {
            addresses = [host]
        } else {
            guard let found = resolve(host), !found.isEmpty else { throw .unresolvable(host) }
            addresses = found
        }
        if let outside = addresses.first(where: { !Self.isLocalAddress($0) }) {
            throw .plainHTTPNotLocal(host: host, address: outside)
        }
        return Self.plainHTTPWarning
    }

    /// Whether a numeric IPv4 or IPv6 address is loopback, private (RFC 1918 / RFC 4193) or
    /// link-local. IPv4-mapped IPv6 addresses are judged by their IPv4 part. Names are not.
    public static func isLocalAddress(_ address: String) -> Bool {
        guard let bytes = numericAddressBytes(address) else { return false }
        if bytes.count == 4 { return isLocalIPv4(bytes) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff { return isLocalIPv4(Array(bytes[12..<16])) }
        if bytes[0..<15].allSatisfy({ $0 == 0 }), bytes[15] == 1 { return true }  // ::1
        if bytes[0] & 0xfe == 0xfc { return true }  // fc00::/7 unique local (RFC 4193)
        if bytes[0] == 0xfe, bytes[1] & 0xc0 == 0x80 { return true }  // fe80::/10 link-local
        return false
    }

    private static func isLocalIPv4(_ b: [UInt8]) -> Bool {
        switch (b[0], b[1]) {
        case (127, _), (10, _): return true  // loopback, RFC 1918
        case (172, 16...31), (192, 168): return true  // RFC 1918
        case (169, 254): return true  // link-local
        default: return false
        }
    }

    /// The bytes of a numeric address (4 or 16), or `nil` for anything else. A zone suffix
    /// (`fe80::1%eth0`) is ignored.
    static func numericAddressBytes(_ text: String) -> [UInt8]? {
        let address = String(text.split(separator: "%", maxSplits: 1).first ?? "")
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, address, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    /// Every address the system resolver gives for `host` (numeric strings), `nil` when it
    /// does not resolve.
    public static func systemAddresses(_ host: String) -> [String]? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return nil }
        defer { freeaddrinfo(first) }
        var out: [String] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let entry = node {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if let address = entry.pointee.ai_addr,
               getnameinfo(address, entry.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !out.contains(text) { out.append(text) }
            }
            node = entry.pointee.ai_next
        }
        return out
    }
}
