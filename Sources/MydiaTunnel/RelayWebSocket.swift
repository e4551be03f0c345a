import Crypto
import Foundation
public import MydiaWire
public import NIOCore
import NIOHTTP1
import NIOPosix
public import NIOSSL
public import NIOWebSocket
import Synchronization

/// A WebSocket client to the relay, for both peers: the instance's `/relay/tunnel/websocket`
/// (PROTOCOL.md §2.1) and the client's `/relay/client/websocket` (§2.2). swift-nio's HTTP upgrade,
/// frame decoder and fragment aggregator, with our frame encoder (``WordMaskingFrameEncoder``),
/// which masks eight bytes at a time where swift-nio's masks one; the upgrade, the close handshake
/// and ping answers are here because the encoder sits in the pipeline the upgrade builds.
public enum RelayWebSocket {
    /// One whole message from the relay.
    public enum Message: Sendable {
        case text(String)
        case binary(ByteBuffer)
    }

    /// Why the socket failed or ended.
    public enum Error: Swift.Error, CustomStringConvertible {
        case upgradeRefused
        case invalidText
        case closedByRelay(code: UInt16?)

        public var description: String {
            switch self {
            case .upgradeRefused: "the relay did not accept the WebSocket upgrade"
            case .invalidText: "the relay sent a text message that is not UTF-8"
            case .closedByRelay(let code): "the relay closed the WebSocket" + (code.map { " (code \($0))" } ?? "")
            }
        }
    }

    /// What the socket's writer takes: a frame for the encoder, or a binary message already framed
    /// and masked in the buffer the socket sends (``PreparedMessage``), which passes through as is.
    public enum OutboundItem: Sendable {
        case frame(WebSocketFrame)
        case prepared(ByteBuffer)
    }

    /// Sends messages; one writer at a time.
    public struct Outbound: Sendable {
        fileprivate let writer: NIOAsyncChannelOutboundWriter<OutboundItem>
        fileprivate let allocator: ByteBufferAllocator
        /// Set once a close frame went out: nothing may follow it (RFC 6455 §5.5.1).
        fileprivate let closeSent = CloseSent()

        public func write(text: String) async throws {
            try await writer.write(.frame(WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: allocator.buffer(string: text))))
        }

        /// The encoder masks a copy of `buffer` (it is never written to).
        public func write(binary buffer: ByteBuffer) async throws {
            try await writer.write(.frame(WebSocketFrame(fin: true, opcode: .binary, maskKey: .random(), data: buffer)))
        }

        /// Sends a message built with ``PreparedMessage`` (framed and masked already).
        public func write(prepared buffer: ByteBuffer) async throws { try await writer.write(.prepared(buffer)) }

        fileprivate func write(_ frame: WebSocketFrame) async throws { try await writer.write(.frame(frame)) }

        /// Sends a close frame with `code`, unless one went out already.
        fileprivate func close(code: UInt16?) async {
            guard closeSent.claim() else { return }
            var data = ByteBuffer()
            if let code { data.writeInteger(code) }
            try? await writer.write(.frame(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data)))
        }
    }

    /// Connects, upgrades, and runs `body` with the relay's messages and a writer. When `body`
    /// returns or throws, a close frame goes out and the socket closes.
    /// - Parameters:
    ///   - path: `RelayOrigin.instanceWebSocketPath` or `.clientWebSocketPath`.
    ///   - tls: for a `wss://` relay (``RelayTLS/configuration(extraTrustAnchorPEM:)``); the SNI
    ///     name is ``RelayTLS/serverName(for:)``.
    ///   - maxMessage: the largest message accepted; a larger one fails the socket.
    public static func connect<Result: Sendable>(
        origin: RelayOrigin, path: String, tls: TLSConfiguration?, maxMessage: Int,
        body: @escaping @Sendable (AsyncThrowingStream<Message, any Swift.Error>, Outbound) async throws -> Result
    ) async throws -> Result {
        let sslContext = try tls.map { try NIOSSLContext(configuration: $0) }
        let host = origin.host, port = origin.port
        let sni = RelayTLS.serverName(for: origin)
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: origin.authority)
        headers.add(name: "Origin", value: "\(origin.isSecure ? "wss" : "ws")://\(host)")
        headers.add(name: "Content-Length", value: "0")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
        let upgrade = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        let handler = try NIOSSLClientHandler(context: sslContext, serverHostname: sni)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    let configuration = NIOTypedHTTPClientUpgradeConfiguration<UpgradeResult>(
                        upgradeRequestHead: head, upgraders: [Upgrader(maxMessage: maxMessage)],
                        notUpgradingCompletionHandler: { $0.eventLoop.makeSucceededFuture(.refused) })
                    var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: configuration)
                    pipeline.leftOverBytesStrategy = .forwardBytes
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline)
                }
            }
        guard case .upgraded(let channel) = try await upgrade.get() else { throw Error.upgradeRefused }
        return try await channel.executeThenClose { inbound, writer in
            let outbound = Outbound(writer: writer, allocator: channel.channel.allocator)
            let (messages, continuation) = AsyncThrowingStream<Message, any Swift.Error>.makeStream(bufferingPolicy: .unbounded)
            return try await withThrowingTaskGroup(of: Result?.self) { group in
                group.addTask {
                    do {
                        try await read(inbound, into: continuation, outbound: outbound)
                        continuation.finish()
                    } catch {
                        continuation.finish(throwing: error)
                    }
                    return nil
                }
                group.addTask {
                    let result = try await body(messages, outbound)
                    await outbound.close(code: 1000)  // normal closure
                    return result
                }
                defer { group.cancelAll() }
                while let next = try await group.next() {
                    if let result = next { return result }
                }
                throw Error.closedByRelay(code: nil)
            }
        }
    }

    /// Reads frames until the relay closes; answers pings, passes messages on. A close with 1000
    /// (normal) or 1001 (going away, a relay restarting) ends the messages; any other fails them.
    ///
    /// The reader never waits for the consumer (the stream buffers), since stopping here would also
    /// stop the close and ping answers. What may be buffered is bounded by the protocol: towards an
    /// instance, requests, credit and handshakes; towards a client, media only within the credit
    /// it granted (§5.3).
    private static func read(
        _ inbound: NIOAsyncChannelInboundStream<WebSocketFrame>, into messages: AsyncThrowingStream<Message, any Swift.Error>.Continuation,
        outbound: Outbound
    ) async throws {
        for try await frame in inbound {
            switch frame.opcode {
            case .binary:
                messages.yield(.binary(frame.unmaskedData))
            case .text:
                let data = frame.unmaskedData
                guard let text = String(validating: data.readableBytesView, as: UTF8.self) else { throw Error.invalidText }
                messages.yield(.text(text))
            case .ping:
                try await outbound.write(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData))
            case .connectionClose:
                var data = frame.unmaskedData
                let code = data.readInteger(as: UInt16.self)
                await outbound.close(code: code)
                if code == nil || code == 1000 || code == 1001 { return }
                throw Error.closedByRelay(code: code)
            default:
                continue  // pong, or a reserved opcode the decoder let through: nothing to do
            }
        }
    }

    /// `base64(SHA-1(key || GUID))`: the `Sec-WebSocket-Accept` a server must answer `key` with.
    public static func accept(for key: String) -> String {
        Data(Insecure.SHA1.hash(data: Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))).base64EncodedString()
    }

    /// Whether a close frame went out on a socket.
    fileprivate final class CloseSent: Sendable {
        private let sent = Mutex(false)

        /// `true` the first time only.
        func claim() -> Bool {
            sent.withLock { wasSent in
                defer { wasSent = true }
                return !wasSent
            }
        }
    }

    private enum UpgradeResult: Sendable {
        case upgraded(NIOAsyncChannel<WebSocketFrame, OutboundItem>)
        case refused
    }

    /// RFC 6455 §4.1 from the client's side, with our encoder in place of swift-nio's.
    private struct Upgrader: NIOTypedHTTPClientProtocolUpgrader {
        let supportedProtocol = "websocket"
        let requiredUpgradeHeaders: [String] = []
        let requestKey = NIOWebSocketClientUpgrader.randomRequestKey()
        let maxMessage: Int

        func addCustom(upgradeRequestHeaders: inout HTTPHeaders) {
            upgradeRequestHeaders.add(name: "Sec-WebSocket-Key", value: requestKey)
            upgradeRequestHeaders.add(name: "Sec-WebSocket-Version", value: "13")
        }

        func shouldAllowUpgrade(upgradeResponse: HTTPResponseHead) -> Bool {
            let accept = upgradeResponse.headers["Sec-WebSocket-Accept"]
            guard accept.count == 1 else { return false }
            return accept[0] == RelayWebSocket.accept(for: requestKey)
        }

        func upgrade(channel: any Channel, upgradeResponse: HTTPResponseHead) -> EventLoopFuture<UpgradeResult> {
            channel.eventLoop.makeCompletedFuture {
                let pipeline = channel.pipeline.syncOperations
                try pipeline.addHandler(WordMaskingFrameEncoder())
                try pipeline.addHandler(ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: maxMessage)))
                try pipeline.addHandler(WebSocketProtocolErrorHandler(isServer: false))
                try pipeline.addHandler(NIOWebSocketFrameAggregator(
                    minNonFinalFragmentSize: 1, maxAccumulatedFrameCount: 64, maxAccumulatedFrameSize: maxMessage))
                return .upgraded(try NIOAsyncChannel<WebSocketFrame, OutboundItem>(wrappingChannelSynchronously: channel))
            }
        }
    }
}
