public import MydiaWire
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One HTTP exchange with the relay's claim API (PROTOCOL.md §3.2), used by the client (claim
/// look-up) and the server (publish, withdraw), over the same TLS as the relay WebSocket — so
/// `--relay-ca` covers the claim API too (§12.5). One connection per request,
/// `connection: close`; the answer is small JSON, capped at `maxBody` bytes.
public enum RelayHTTP {
    /// A status and a body.
    public struct Response: Sendable {
        /// The HTTP status code.
        public var status: Int
        /// The whole body.
        public var body: [UInt8]
    }

    /// Why an exchange failed.
    public enum Error: Swift.Error, Equatable, Sendable, CustomStringConvertible {
        /// Network, TLS, HTTP framing or time-out: the relay could not be asked.
        case unreachable(String)
        /// The TLS settings (the `--relay-ca` anchor) cannot be used.
        case invalidConfiguration(String)

        public var description: String {
            switch self {
            case .unreachable(let why): "the relay cannot be reached: \(why)"
            case .invalidConfiguration(let why): why
            }
        }
    }

    /// Largest body accepted (claim answers are well under 8 KiB, §12.7).
    public static let maxBody = 64 * 1024

    /// Sends one request to `origin` and returns the whole answer.
    /// - Parameters:
    ///   - method: `GET`, `POST` or `DELETE`.
    ///   - path: origin-form path, e.g. `/pairing/v2/claim/<lookup>`.
    ///   - body: a JSON body, or empty.
    ///   - extraTrustAnchorPEM: the `--relay-ca` PEM, if any.
    ///   - timeout: budget for connect + TLS + the whole answer.
    public static func request(
        _ method: String, origin: RelayOrigin, path: String, body: [UInt8] = [], extraTrustAnchorPEM: String? = nil,
        timeout: Duration = .seconds(15)
    ) async throws(Error) -> Response {
        let context = try RelayTLS.context(for: origin, extraTrustAnchorPEM: extraTrustAnchorPEM)
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: path)
        head.headers.add(name: "host", value: origin.authority)
        head.headers.add(name: "connection", value: "close")
        head.headers.add(name: "content-length", value: String(body.count))
        if !body.isEmpty { head.headers.add(name: "content-type", value: "application/json") }
        let request = head
        let serverName = RelayTLS.serverName(for: origin)
        do {
            return try await withThrowingTaskGroup(of: Response.self) { group in
                group.addTask {
                    try await exchange(origin: origin, context: context, serverName: serverName, head: request, body: body)
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw Error.unreachable("no answer within \(timeout)")
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
        } catch let error as Error {
            throw error
        } catch {
            throw .unreachable(RelayTLS.describe(error))
        }
    }

    private static func exchange(
        origin: RelayOrigin, context: NIOSSLContext?, serverName: String, head: HTTPRequestHead, body: [UInt8]
    ) async throws -> Response {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: origin.host, port: origin.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let context {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            // The whole request in one flush, and a failed write is not the end: a GET is complete
            // with its head, so the relay may answer and close (`connection: close`) before a
            // separately flushed `.end` reaches the socket ("I/O on closed channel"), and the answer
            // is then already waiting to be read. Without an answer, the read below says so.
            var writeError: (any Swift.Error)?
            do { try await outbound.write(contentsOf: HTTPRequestHeadBuilder.parts(head, body: body)) } catch { writeError = error }
            var status: Int?
            var collected: [UInt8] = []
            for try await part in inbound {
                switch part {
                case .head(let h) where h.status.code >= 200: status = Int(h.status.code)
                case .head: continue
                case .body(let buffer):
                    guard collected.count + buffer.readableBytes <= maxBody else {
                        throw Error.unreachable("the relay's answer is over \(maxBody) bytes")
                    }
                    collected += buffer.readableBytesView
                case .end:
                    guard let status else { break }
                    return Response(status: status, body: collected)
                }
            }
            if let writeError { throw writeError }
            throw Error.unreachable("the relay closed the connection before answering")
        }
    }
}
