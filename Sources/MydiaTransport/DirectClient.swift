import Foundation
public import MydiaCrypto
public import NIOCore
import NIOHTTP1
public import NIOPosix
import NIOSSL
import Synchronization

/// The direct path (PROTOCOL.md §6): HTTPS/1.1 to one of the instance's `direct_urls`, the server
/// certificate pinned by fingerprint. Requests carry `Authorization: Bearer`; bodies stream with
/// backpressure (a consumer that stops reading stops the socket). Idle keep-alive connections are
/// reused.
public final class DirectClient: Sendable {
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
            case .invalidURL(let url): "'\(url)' is not a direct URL — it must be https://host[:port]."
            case .pinMismatch: "The server presented a different certificate than the paired one — the direct connection was refused."
            case .unreachable(let why): "The server cannot be reached directly (\(why))."
            case .tls(let why): "The secure connection to the server failed (\(why))."
            case .timedOut: "The server did not answer directly in time."
            case .connectionClosed: "The direct connection closed during the request."
            case .probeRejected(let status): "The server's direct address answered the probe with HTTP \(status)."
            case .wrongInstance: "A different server answers at this direct address."
            case .cancelled: "The request was cancelled."
            }
        }
    }

    /// `https://host:port` this client talks to.
    public let baseURL: String
    let host: String
    let port: Int
    let pin: CertificateFingerprint
    let configuration: Configuration
    let group: any EventLoopGroup
    let context: NIOSSLContext
    private let idle = Mutex<[DirectConnection]>([])

    /// - Parameters:
    ///   - baseURL: one of the instance's `direct_urls`, `https://host[:port]`.
    ///   - pin: the pinned `cert_fingerprint`; `nil` refuses (no pin → no direct path, §6).
    public init(baseURL: String, pin: CertificateFingerprint?, configuration: Configuration = .init(),
                eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws(Error) {
        guard let pin else { throw .noPin }
        guard let url = URL(string: baseURL), url.scheme?.lowercased() == "https", var host = url.host, !host.isEmpty,
              url.path.isEmpty || url.path == "/", url.query == nil
        else { throw .invalidURL(baseURL) }
        if host.hasPrefix("[") { host = String(host.dropFirst().dropLast()) }
        self.baseURL = baseURL
        self.host = host
        port = url.port ?? 443
        self.pin = pin
        self.configuration = configuration
        group = eventLoopGroup
        do {
            context = try PinnedTLS.makeContext()
        } catch {
            throw .tls(Self.describe(error))
        }
    }

    deinit {
        for connection in idle.withLock({ $0 }) { connection.close() }
    }

    /// Sends one request and returns the response head; the body streams as it is read.
    /// - Parameters:
    ///   - path: origin-form with query.
    ///   - headers: forwarded as given (e.g. `range`, `if-range`).
    ///   - bearer: the access token, sent as `Authorization: Bearer` (§6).
    public func request(
        method: String, path: String, headers: [String: String] = [:], body: [UInt8] = [], bearer: String?
    ) async throws(Error) -> TransportResponse {
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method.uppercased()), uri: path)
        head.headers.add(name: "host", value: hostHeader)
        for (name, value) in headers where !["host", "content-length", "authorization", "connection", "transfer-encoding"].contains(name.lowercased()) {
            head.headers.add(name: name, value: value)
        }
        if let bearer { head.headers.add(name: "authorization", value: "Bearer \(bearer)") }
        if !body.isEmpty || ["POST", "PUT", "PATCH"].contains(method.uppercased()) {
            head.headers.add(name: "content-length", value: String(body.count))
        }
        // A reused keep-alive connection may have been closed by the server meanwhile: retry once fresh.
        if let reused = takeIdle() {
            let result = await exchange(on: reused, head: head, body: body)
            if case .failure(.connectionClosed(retryable: true)) = result {} else { return try result.get() }
        }
        let connection = try await connect()
        return try await exchange(on: connection, head: head, body: body).get()
    }

    var hostHeaderValue: String { hostHeader }

    private var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port == 443 ? h : "\(h):\(port)"
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
            host: host, port: port, pin: pin, context: context, group: group,
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
        if let e = error as? NIOSSLError { return "\(e)" }
        if let e = error as? ChannelError { return "\(e)" }
        if let e = error as? IOError { return e.description }
        return "\(error)"
    }
}
