import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// One request as `TestHTTPServer` received it.
public struct TestHTTPRequest: Sendable {
    /// Upper-case method.
    public var method: String
    /// The request target as sent (path and query).
    public var uri: String
    /// Header names lower-cased; repeats joined by `, `.
    public var headers: [String: String]
    /// The body.
    public var body: [UInt8]

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// What `TestHTTPServer` answers.
public struct TestHTTPResponse: Sendable {
    /// The status code.
    public var status: Int
    /// Header fields.
    public var headers: [String: String]
    /// The body.
    public var body: [UInt8]

    /// A response.
    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response.
    public static func json(_ status: Int, _ text: String) -> TestHTTPResponse {
        TestHTTPResponse(status: status, headers: ["content-type": "application/json"], body: Array(text.utf8))
    }
}

/// A small HTTP/1.1 server on 127.0.0.1 (TLS optional) that answers every request with a test's
/// handler and records what it received: a stand-in for a web server the client must talk to.
public final class TestHTTPServer: Sendable {
    /// The bound port.
    public let port: Int
    private let channel: any Channel
    private let received = Mutex<[TestHTTPRequest]>([])

    /// Everything received so far, in order.
    public var requests: [TestHTTPRequest] { received.withLock { $0 } }

    private init(port: Int, channel: any Channel) {
        self.port = port
        self.channel = channel
    }

    /// Starts a server.
    /// - Parameters:
    ///   - identity: the certificate to serve TLS with; `nil` = plain HTTP.
    ///   - handler: answers one request.
    public static func start(
        identity: TestCertificates.Identity? = nil,
        handler: @escaping @Sendable (TestHTTPRequest) async -> TestHTTPResponse
    ) async throws -> TestHTTPServer {
        let context: NIOSSLContext? = try identity.map { identity in
            let tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(identity.certificatePEM.utf8)).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(identity.privateKeyPEM.utf8), format: .pem)))
            return try NIOSSLContext(configuration: tls)
        }
        let recorder = Recorder()
        // Connections are served by a plain channel handler, not NIOAsyncChannel: a connection
        // accepted while the server closes would otherwise be dropped unconsumed, which NIO treats
        // as a fatal error in debug builds.
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    if let context { try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context)) }
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    try child.pipeline.syncOperations.addHandler(Exchange(handler: handler, recorder: recorder))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let made = TestHTTPServer(port: channel.localAddress?.port ?? 0, channel: channel)
        recorder.server.withLock { $0 = made }
        return made
    }

    /// Stops listening (open connections finish their exchange).
    public func close() { channel.close(promise: nil) }

    private final class Recorder: Sendable {
        let server = Mutex<TestHTTPServer?>(nil)
        func record(_ request: TestHTTPRequest) {
            server.withLock { $0?.received.withLock { $0.append(request) } }
        }
    }

    /// One connection: collects a request, asks the handler (off the event loop), writes the
    /// answer; requests on a keep-alive connection are answered in order.
    private final class Exchange: ChannelInboundHandler, @unchecked Sendable {  // used on its channel's event loop only
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let handler: @Sendable (TestHTTPRequest) async -> TestHTTPResponse
        let recorder: Recorder
        private var current: TestHTTPRequest?
        private var pending: [TestHTTPRequest] = []
        private var answering = false

        init(handler: @escaping @Sendable (TestHTTPRequest) async -> TestHTTPResponse, recorder: Recorder) {
            self.handler = handler
            self.recorder = recorder
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                var headers: [String: String] = [:]
                for (name, value) in head.headers {
                    let key = name.lowercased()
                    headers[key] = headers[key].map { "\($0), \(value)" } ?? value
                }
                current = TestHTTPRequest(method: head.method.rawValue, uri: head.uri, headers: headers, body: [])
            case .body(let buffer):
                current?.body += Array(buffer.readableBytesView)
            case .end:
                guard let request = current else { return }
                current = nil
                recorder.record(request)
                pending.append(request)
                answerNext(context: context)
            }
        }

        private func answerNext(context: ChannelHandlerContext) {
            guard !answering, !pending.isEmpty else { return }
            answering = true
            let request = pending.removeFirst()
            let loop = context.eventLoop
            let bound = NIOLoopBound((self, context), eventLoop: loop)
            let handler = self.handler
            Task {
                let response = await handler(request)
                loop.execute {
                    let (exchange, context) = bound.value
                    var head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: response.status))
                    for (name, value) in response.headers { head.headers.add(name: name, value: value) }
                    head.headers.replaceOrAdd(name: "content-length", value: String(response.body.count))
                    context.write(exchange.wrapOutboundOut(.head(head)), promise: nil)
                    context.write(exchange.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: response.body)))), promise: nil)
                    context.writeAndFlush(exchange.wrapOutboundOut(.end(nil)), promise: nil)
                    exchange.answering = false
                    exchange.answerNext(context: context)
                }
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
    }
}
