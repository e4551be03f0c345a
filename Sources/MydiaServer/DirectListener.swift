import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTLS
public import Logging
public import MydiaListener
import MydiaLibrary
import MydiaStreaming
import NIOCore
import NIOSSL
import Synchronization

/// The direct HTTPS listener (PROTOCOL.md §6): TLS ≥ 1.2 with the instance's self-signed
/// certificate, serving the same instance API as the tunnel with bearer tokens.
public final class DirectListener: Sendable {
    /// Why the listener cannot start.
    public enum Error: Swift.Error, CustomStringConvertible {
        case tls(String)
        case notListening

        public var description: String {
            switch self {
            case .tls(let why): "The direct listener's certificate could not be loaded: \(why)"
            case .notListening: "The direct listener stopped before it was listening."
            }
        }
    }

    private let host: String
    private let port: Int
    private let tls: TLSConfiguration
    private let api: any APIHandler
    private let logger: Logger
    /// The connection caps and timeouts (PROTOCOL.md §13.19).
    let connections: ListenerGuard
    private let bound = Mutex<(port: Int?, failed: Bool, waiters: [CheckedContinuation<Int, any Swift.Error>])>((nil, false, []))

    public init(
        host: String, port: Int, certificatePEM: String, privateKeyPEM: String, api: any APIHandler,
        limits: ListenerGuard.Limits = .init(), logger: Logger
    ) throws {
        do {
            let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8))
            let key = try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem)
            var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            configuration.minimumTLSVersion = .tlsv12
            tls = configuration
        } catch {
            throw Error.tls("\(error)")
        }
        self.host = host
        self.port = port
        self.api = api
        self.logger = logger
        connections = ListenerGuard(limits: limits)
    }

    /// Serves until the task is cancelled; `port` overrides the configured port (a restart binds
    /// the port the first run was given).
    public func run(port: Int? = nil) async throws {
        let connections = self.connections
        let app = Application(
            responder: APIResponder(api: api),
            server: try .tls(.http1(configuration: .init(additionalChannelHandlers: [connections.handler()])), tlsConfiguration: tls),
            configuration: .init(address: .hostname(host, port: port ?? self.port), serverName: nil),
            onServerRunning: { [weak self] channel in self?.listening(channel.localAddress?.port) },
            logger: logger)
        defer { listening(nil) }
        try await app.run()
    }

    /// The bound port once listening.
    public func boundPort() async throws -> Int {
        try await withCheckedThrowingContinuation { c in
            let result: Result<Int, any Swift.Error>? = bound.withLock { state in
                if let p = state.port { return .success(p) }
                if state.failed { return .failure(Error.notListening) }
                state.waiters.append(c)
                return nil
            }
            if let result { c.resume(with: result) }
        }
    }

    /// The port of the first run, if it bound one (`nil` before, without waiting).
    func boundPortIfKnown() -> Int? {
        bound.withLock { $0.port }
    }

    private func listening(_ port: Int?) {
        let waiters = bound.withLock { state -> [CheckedContinuation<Int, any Swift.Error>] in
            guard state.port == nil, !state.failed else { return [] }
            if let port { state.port = port } else { state.failed = true }
            defer { state.waiters = [] }
            return state.waiters
        }
        for w in waiters {
            if let port { w.resume(returning: port) } else { w.resume(throwing: Error.notListening) }
        }
    }
}

/// Adapts Hummingbird requests to the instance API and streams its responses back.
struct APIResponder: HTTPResponder {
    typealias Context = DirectRequestContext
    let api: any APIHandler

    func respond(to request: Request, context: Context) async throws -> Response {
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { "\($0), \(field.value)" } ?? field.value
        }
        // Auth before body: a body larger than what bearer-free requests need is read only with a
        // valid access token on the head, and one announced past the limit is refused unread.
        var limit = InstanceAPI.maxBody
        let announced = request.headers[.contentLength].flatMap { Int($0) }
        if let admission = api as? any BodyAdmission {
            let small = admission.unauthenticatedBodyLimit
            let mayBeLarge = announced.map { $0 > small } ?? (request.headers[.transferEncoding] != nil)
            if mayBeLarge {
                let bearer = APIRequest(method: request.method.rawValue, target: request.uri.description, headers: headers).bearerToken
                if await !admission.admitsLargeBody(bearer: bearer) { limit = small }
            }
        }
        let refusal = limit < InstanceAPI.maxBody ? Self.unauthorizedBody : Self.tooLarge
        if let announced, announced > limit { return refusal }
        let body: [UInt8]
        do {
            var buffer = try await request.body.collect(upTo: limit)
            body = buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch {
            return refusal
        }
        let response = await api.handle(APIRequest(method: request.method.rawValue, target: request.uri.description, headers: headers, body: body,
                                                   clientAddress: context.remoteAddress?.ipAddress))
        return Self.convert(response)
    }

    /// A body past the unauthenticated limit without a valid access token.
    static let unauthorizedBody = convert(.error(
        status: 401, error: "unauthorized", message: "A valid access token is required to send a request body this large."))
    /// A body past ``InstanceAPI/maxBody``.
    static let tooLarge = convert(.error(status: 413, error: "too_large", message: "The request body is too large."))

    static func convert(_ response: APIResponse) -> Response {
        var fields = HTTPFields()
        for (name, value) in response.headers {
            if let n = HTTPField.Name(name) { fields[n] = value }
        }
        switch response.body {
        case .bytes(let bytes):
            fields[.contentLength] = fields[.contentLength] ?? String(bytes.count)
            return Response(status: .init(code: response.status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        case .file(let file):
            return Response(status: .init(code: response.status), headers: fields,
                            body: ResponseBody(asyncSequence: file.pulledStream().map { ByteBuffer(bytes: $0) }))
        case .stream(let chunks):
            return Response(status: .init(code: response.status), headers: fields,
                            body: ResponseBody(asyncSequence: chunks.map { ByteBuffer(bytes: $0) }))
        }
    }
}

/// What the direct listener asks before it reads a request body (issue 18: auth before body). A
/// handler that does not conform may be sent ``InstanceAPI/maxBody`` by anyone.
protocol BodyAdmission: Sendable {
    /// The largest body read from a request without a valid access token.
    var unauthenticatedBodyLimit: Int { get }
    /// Whether a request carrying `bearer` (`nil`: none) may send up to ``InstanceAPI/maxBody``.
    func admitsLargeBody(bearer: String?) async -> Bool
}

extension InstanceAPI: BodyAdmission {
    /// Only the bearer-free GraphQL operations (login, TOTP, token refresh, compatibility) are
    /// answered without an access token, and their documents are small.
    var unauthenticatedBodyLimit: Int { 16 * 1024 }

    /// `true` for a valid access token.
    func admitsLargeBody(bearer: String?) async -> Bool {
        guard let bearer, !bearer.isEmpty else { return false }
        return (try? await devices.validate(bearer, kind: .access)) != nil
    }
}

/// Hummingbird's basic context plus the peer's address, which URL login rate-limits by.
struct DirectRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The connection's peer.
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
