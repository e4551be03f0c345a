import Foundation
public import MydiaCrypto
public import NIOCore
import NIOHTTP1
public import NIOPosix
import NIOSSL
import Synchronization

/// The direct path (PROTOCOL.md §6, §14.2): HTTP/1.1 to one server URL — a paired instance's
/// `direct_urls` with the certificate pinned by fingerprint, or a URL-login server verified against
/// the system roots (plus an optional CA), pinned, or plain `http://` where `LoginURL` allows it.
/// Requests carry `Authorization: Bearer`; bodies stream with backpressure (a consumer that stops
/// reading stops the socket). Idle keep-alive connections are reused.
public final class DirectClient: Sendable {
    /// How the server's identity is checked. A client is built with one mode and keeps it: a
    /// pinned client never falls back to another mode (§6 "never downgrade").
    public enum TLSMode: Sendable, Equatable {
        /// `https://`, accepted iff hex(SHA-256(leaf DER)) equals the pin; host name and CA unchecked.
        case pinned(CertificateFingerprint)
        /// `https://`, verified against the system roots plus `extraCAPEM` (one or more PEM
        /// certificates), host name checked (§14.2.5).
        case verified(extraCAPEM: String?)
        /// `http://` without TLS, only for the addresses §14.2.5 allows (see `LoginURL`).
        case plainHTTP
    }

    /// Limits of the direct path.
    public struct Configuration: Sendable {
        /// TCP connect budget.
        public var connectTimeout: Duration
        /// Body bytes buffered ahead of the consumer before the socket stops being read.
        public var bodyBufferBytes: Int
        /// Idle connections kept for reuse.
        public var maxIdleConnections: Int

        /// Defaults.
        public init(connectTimeout: Duration = .seconds(5), bodyBufferBytes: Int = 128 * 1024, maxIdleConnections: Int = 4) {
            self.connectTimeout = connectTimeout
            self.bodyBufferBytes = max(1, bodyBufferBytes)
            self.maxIdleConnections = max(0, maxIdleConnections)
        }
    }

    /// Why a direct request or probe failed.
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// No pinned fingerprint: there is no direct path (§6).
        case noPin
        /// Not an `https://host[:port]` URL.
        case invalidURL(String)
        /// The server presented another certificate than the pinned one (hold the URL off, §8).
        case pinMismatch(presented: String)
        /// TCP connect failed.
        case unreachable(String)
        /// The TLS handshake failed for another reason than the pin.
        case tls(String)
        /// A verified connection met a certificate no trusted authority signed (self-signed, an
        /// unknown CA, expired); `presented` is its SHA-256 fingerprint when it could be read.
        case untrustedCertificate(presented: String?)
        /// A verified connection met a certificate that is not issued for `host`.
        case hostnameMismatch(host: String, presented: String?)
        /// The extra CA given for verification is not a PEM certificate.
        case invalidTrustAnchor(String)
        /// The budget ran out.
        case timedOut
        /// The connection closed mid-exchange. `retryable` when the request may be sent again.
        case connectionClosed(retryable: Bool)
        /// The probe answered, but not 200 with the expected `instance_id`.
        case probeRejected(status: Int)
        /// The probe reached another instance.
        case wrongInstance
        /// The calling task was cancelled before the response head arrived.
        case cancelled

        public var description: String {
            switch self {
            case .noPin: "This server has no pinned certificate — the direct path is off."
            case .invalidURL(let url): "'\(url)' is not a URL this connection can use — give https://host[:port] (http:// only where plain HTTP is allowed)."
            case .pinMismatch: "The server presented a different certificate than the paired one — the direct connection was refused."
            case .unreachable(let why): "The server cannot be reached directly (\(why))."
            case .tls(let why): "The secure connection to the server failed (\(why))."
            case .untrustedCertificate(let presented):
                "The server's certificate is not trusted by this computer (self-signed or from an unknown authority) — "
                    + "pass --ca FILE with the CA that signed it, or pin this certificate with --pin-sha256 \(presented ?? "HEX")."
            case .hostnameMismatch(let host, let presented):
                "The server's certificate is not issued for \(host) — use the name the certificate names in the URL, "
                    + "or pin this certificate with --pin-sha256 \(presented ?? "HEX")."
            case .invalidTrustAnchor(let why): "The CA cannot be used: \(why) — give a PEM certificate file with --ca."
            case .timedOut: "The server did not answer directly in time."
            case .connectionClosed: "The direct connection closed during the request."
            case .probeRejected(let status): "The server's direct address answered the probe with HTTP \(status)."
            case .wrongInstance: "A different server answers at this direct address."
            case .cancelled: "The request was cancelled."
            }
        }
    }

    /// The server URL this client talks to, `https://host[:port][/prefix]` (or `http://`).
    public let baseURL: String
    /// How the server is checked; fixed for the client's life.
    public let tlsMode: TLSMode
    let host: String
    let port: Int
    /// The URL's path without a trailing slash (`""` for none): put before every request path.
    let pathPrefix: String
    let configuration: Configuration
    let group: any EventLoopGroup
    let context: NIOSSLContext?
    private let idle = Mutex<[DirectConnection]>([])

    /// A paired instance's direct path: pinned or nothing.
    /// - Parameters:
    ///   - baseURL: one of the instance's `direct_urls`, `https://host[:port]`.
    ///   - pin: the pinned `cert_fingerprint`; `nil` refuses (no pin → no direct path, §6).
    public convenience init(baseURL: String, pin: CertificateFingerprint?, configuration: Configuration = .init(),
                            eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws(Error) {
        guard let pin else { throw .noPin }
        try self.init(baseURL: baseURL, tls: .pinned(pin), configuration: configuration, eventLoopGroup: eventLoopGroup)
    }

    /// A client in one TLS mode.
    /// - Parameters:
    ///   - baseURL: `https://host[:port][/prefix]` for the TLS modes, `http://…` for `.plainHTTP`;
    ///     no query, fragment or user info. A scheme that does not match the mode is refused, so a
    ///     pinned or verified client can never be pointed at plain HTTP.
    ///   - tls: how the server's identity is checked.
    /// - Throws: `.invalidURL`, `.invalidTrustAnchor` for an unusable extra CA, `.tls`.
    public init(baseURL: String, tls mode: TLSMode, configuration: Configuration = .init(),
                eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws(Error) {
        let wantedScheme = mode == .plainHTTP ? "http" : "https"
        guard let url = URL(string: baseURL), url.scheme?.lowercased() == wantedScheme, var host = url.host, !host.isEmpty,
              url.query == nil, url.fragment == nil, url.user == nil, url.password == nil
        else { throw .invalidURL(baseURL) }
        if host.hasPrefix("[") { host = String(host.dropFirst().dropLast()) }
        var prefix = url.path
        while prefix.hasSuffix("/") { prefix.removeLast() }
        self.baseURL = baseURL
        self.tlsMode = mode
        self.host = host
        port = url.port ?? (mode == .plainHTTP ? 80 : 443)
        pathPrefix = prefix
        self.configuration = configuration
        group = eventLoopGroup
        context = try DirectTLS.makeContext(for: mode)
    }

    deinit {
        for connection in idle.withLock({ $0 }) { connection.close() }
    }

    /// Sends one request and returns the response head; the body streams as it is read.
    /// - Parameters:
    ///   - path: origin-form with query, relative to the base URL's path.
    ///   - headers: forwarded as given (e.g. `range`, `if-range`).
    ///   - bearer: the access token, sent as `Authorization: Bearer` (§6).
    public func request(
        method: String, path: String, headers: [String: String] = [:], body: [UInt8] = [], bearer: String?
    ) async throws(Error) -> TransportResponse {
        let head = makeHead(method: method, path: path, headers: headers, body: body, bearer: bearer)
        // A reused keep-alive connection may have been closed by the server meanwhile: retry once fresh.
        if let reused = takeIdle() {
            let result = await exchange(on: reused, head: head, body: body)
            if case .failure(.connectionClosed(retryable: true)) = result {} else { return try result.get() }
        }
        let connection = try await connect()
        return try await exchange(on: connection, head: head, body: body).get()
    }

    /// The request head: `host`, the caller's headers (minus those this client owns), the bearer
    /// and `content-length`; the path goes under the base URL's prefix.
    func makeHead(method: String, path: String, headers: [String: String], body: [UInt8], bearer: String?) -> HTTPRequestHead {
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method.uppercased()), uri: pathPrefix + path)
        head.headers.add(name: "host", value: hostHeader)
        for (name, value) in headers where !["host", "content-length", "authorization", "connection", "transfer-encoding"].contains(name.lowercased()) {
            head.headers.add(name: name, value: value)
        }
        if let bearer { head.headers.add(name: "authorization", value: "Bearer \(bearer)") }
        if !body.isEmpty || ["POST", "PUT", "PATCH"].contains(method.uppercased()) {
            head.headers.add(name: "content-length", value: String(body.count))
        }
        return head
    }

    private var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port == (tlsMode == .plainHTTP ? 80 : 443) ? h : "\(h):\(port)"
    }

    private func exchange(on connection: DirectConnection, head: HTTPRequestHead, body: [UInt8]) async -> Result<TransportResponse, Error> {
        let job = DirectConnection.Job(head: head, body: body)
        guard connection.submit(job) else { return .failure(.connectionClosed(retryable: true)) }
        // A response that arrives after cancellation is dropped unread, which closes its connection.
        return await withTaskCancellationHandler {
            await job.response.value
        } onCancel: {
            job.response.fulfil(.failure(.cancelled))
        }
    }

    func connect() async throws(Error) -> DirectConnection {
        try await DirectConnection.open(
            host: host, port: port, mode: tlsMode, context: context, group: group,
            connectTimeout: configuration.connectTimeout, bodyBufferBytes: configuration.bodyBufferBytes
        ) { [weak self] connection in
            self?.checkIn(connection)
        }
    }

    private func takeIdle() -> DirectConnection? {
        idle.withLock { $0.popLast() }
    }

    private func checkIn(_ connection: DirectConnection) {
        let keep = idle.withLock { list -> Bool in
            guard list.count < configuration.maxIdleConnections else { return false }
            list.append(connection)
            return true
        }
        if !keep { connection.close() }
    }

    static func describe(_ error: any Swift.Error) -> String {
        if let e = error as? NIOConnectionError {
            // "Connection refused", "No route to host" — not NIO's nested dump.
            let reasons = e.connectionErrors.map { failure -> String in
                if let io = failure.error as? IOError { return String(cString: strerror(io.errnoCode)) }
                return "\(failure.error)"
            }
            if reasons.isEmpty { return e.dnsAError != nil || e.dnsAAAAError != nil ? "the name \(e.host) does not resolve" : "\(e)" }
            return reasons.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }.joined(separator: ", ")
        }
        if let e = error as? NIOSSLError { return "\(e)" }
        if let e = error as? ChannelError { return "\(e)" }
        if let e = error as? IOError { return e.description }
        return "\(error)"
    }
}
