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
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { child in
                child.eventLoop.makeCompletedFuture {
                    if let context { try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context)) }
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: child)
                }
            }
        let made = TestHTTPServer(port: server.channel.localAddress?.port ?? 0, channel: server.channel)
        recorder.server.withLock { $0 = made }
        Task {
            try? await server.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in inbound {
                        group.addTask { await serve(connection, handler: handler, recorder: recorder) }
                    }
                }
            }
        }
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

    private static func serve(
        _ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>,
        handler: @Sendable (TestHTTPRequest) async -> TestHTTPResponse, recorder: Recorder
    ) async {
        try? await connection.executeThenClose { inbound, outbound in
            var current: TestHTTPRequest?
            for try await part in inbound {
                switch part {
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
                    guard let request = current else { continue }
                    current = nil
                    recorder.record(request)
                    let response = await handler(request)
                    var head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: response.status))
                    for (name, value) in response.headers { head.headers.add(name: name, value: value) }
                    head.headers.replaceOrAdd(name: "content-length", value: String(response.body.count))
                    try await outbound.write(contentsOf: [
                        .head(head), .body(.byteBuffer(ByteBuffer(bytes: response.body))), .end(nil),
                    ])
                }
            }
        }
    }
}
