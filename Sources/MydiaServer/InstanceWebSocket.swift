import Crypto
import Foundation
import MydiaWire
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import Synchronization

/// The instance's WebSocket to the relay's `/relay/tunnel/websocket` (PROTOCOL.md §2.1), on
/// swift-nio's HTTP upgrade and frame decoder, with a frame encoder of our own (§13.89).
///
/// A WebSocket client masks every byte it sends (RFC 6455 §5.3). swift-nio's encoder does it one
/// byte per loop step, and every media byte of every tunnel passes through it: at full speed that
/// loop took 42 % of the instance's event-loop thread, a tenth of all CPU on the relay path. The
/// encoder here masks eight bytes at a time (`WebSocketMask`). The hummingbird WebSocket client
/// this replaces has no way to change its pipeline, so the upgrade, the close handshake and ping
/// answers are here too; fragments are joined by swift-nio's `NIOWebSocketFrameAggregator`.
enum InstanceWebSocket {
    /// One whole message from the relay.
    enum Message: Sendable {
        case text(String)
        case binary(ByteBuffer)
    }

    /// Why the socket failed or ended.
    enum Error: Swift.Error, CustomStringConvertible {
        case upgradeRefused
        case invalidText
        case closedByRelay(code: UInt16?)

        var description: String {
            switch self {
            case .upgradeRefused: "the relay did not accept the WebSocket upgrade"
            case .invalidText: "the relay sent a text message that is not UTF-8"
            case .closedByRelay(let code): "the relay closed the WebSocket" + (code.map { " (code \($0))" } ?? "")
            }
        }
    }

    /// What the socket's writer takes: a frame for the encoder, or a binary message already framed
    /// and masked in the buffer the socket sends (``PreparedMessage``), which passes through as is.
    enum OutboundItem: Sendable {
        case frame(WebSocketFrame)
        case prepared(ByteBuffer)
    }

    /// Sends messages; one writer at a time.
    struct Outbound: Sendable {
        fileprivate let writer: NIOAsyncChannelOutboundWriter<OutboundItem>
        fileprivate let allocator: ByteBufferAllocator
        /// Set once a close frame went out: nothing may follow it (RFC 6455 §5.5.1).
        fileprivate let closeSent = CloseSent()

        func write(text: String) async throws {
            try await writer.write(.frame(WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: allocator.buffer(string: text))))
        }

        /// The encoder masks a copy of `buffer` (it is never written to).
        func write(binary buffer: ByteBuffer) async throws {
            try await writer.write(.frame(WebSocketFrame(fin: true, opcode: .binary, maskKey: .random(), data: buffer)))
        }

        /// Sends a message built with ``PreparedMessage`` (framed and masked already).
        func write(prepared buffer: ByteBuffer) async throws { try await writer.write(.prepared(buffer)) }

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
    ///   - maxMessage: the largest message accepted; a larger one fails the socket.
    ///   - tls: for a `wss://` relay; `sni` is the name sent (an IP-literal relay gets a placeholder).
    static func connect<Result: Sendable>(
        origin: RelayOrigin, path: String, tls: TLSConfiguration?, sni: String?, maxMessage: Int,
        body: @escaping @Sendable (AsyncThrowingStream<Message, any Swift.Error>, Outbound) async throws -> Result
    ) async throws -> Result {
        let sslContext = try tls.map { try NIOSSLContext(configuration: $0) }
        let host = origin.host, port = origin.port
        let authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: authority)
        headers.add(name: "Origin", value: "\(origin.isSecure ? "wss" : "ws")://\(host)")
        headers.add(name: "Content-Length", value: "0")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
        let upgrade = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        let handler = try NIOSSLClientHandler(context: sslContext, serverHostname: sni ?? host)
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
    /// The reader never waits for the consumer (the stream buffers): messages are few and small
    /// towards the instance (requests, credit, handshakes), and stopping here would also stop the
    /// close and ping answers.
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
    static func accept(for key: String) -> String {
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
            return accept[0] == InstanceWebSocket.accept(for: requestKey)
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

/// A masked binary message built in the buffer the socket sends (PROTOCOL.md §13.93): ``begin``
/// writes the frame header and a fresh mask key, the caller appends exactly the payload length it
/// announced, ``mask(_:)`` masks the payload where it lies, and the encoder passes the buffer on
/// as it is. A tunnel frame is sealed straight into such a buffer, so its bytes are written once
/// between the file read and the socket (no copy into a masking buffer, none for the session id).
enum PreparedMessage {
    /// A buffer holding the header of a masked binary message of `payloadLength` bytes, with room
    /// for the payload.
    static func begin(payloadLength: Int) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: WebSocketFrameHeader.maxLength + payloadLength)
        WebSocketFrameHeader.write(first: 0x80 | UInt8(webSocketOpcode: .binary), length: payloadLength,
                                   maskKey: .random(), into: &buffer)
        return buffer
    }

    /// Masks the payload of a message from ``begin(payloadLength:)`` in place.
    static func mask(_ buffer: inout ByteBuffer) {
        let start = buffer.readerIndex
        let second = buffer.getInteger(at: start + 1, as: UInt8.self) ?? 0
        precondition(second & 0x80 != 0, "a prepared message is masked")
        let lengthBytes = switch second & 0x7F { case 126: 2; case 127: 8; default: 0 }
        let keyOffset = 2 + lengthBytes
        let declared = switch lengthBytes {
        case 2: Int(buffer.getInteger(at: start + 2, as: UInt16.self) ?? 0)
        case 8: Int(buffer.getInteger(at: start + 2, as: UInt64.self) ?? 0)
        default: Int(second & 0x7F)
        }
        let key = buffer.getBytes(at: start + keyOffset, length: 4) ?? []
        precondition(buffer.readableBytes == keyOffset + 4 + declared, "the payload written is the length announced")
        buffer.withUnsafeMutableReadableBytes { bytes in
            WebSocketMask.apply(key: key, to: UnsafeMutableRawBufferPointer(rebasing: bytes[(keyOffset + 4)...]))
        }
    }
}

/// The header of a WebSocket frame (RFC 6455 §5.2): first byte, length, mask key.
enum WebSocketFrameHeader {
    /// 2 bytes, an 8-byte extended length and a 4-byte mask key.
    static let maxLength = 14

    /// Writes the header of a frame of `length` payload bytes; `first` is FIN, RSV and opcode.
    static func write(first: UInt8, length: Int, maskKey: WebSocketMaskingKey?, into out: inout ByteBuffer) {
        out.writeInteger(first)
        let maskBit: UInt8 = maskKey == nil ? 0 : 0x80
        switch length {
        case ...125:
            out.writeInteger(UInt8(length) | maskBit)
        case ...Int(UInt16.max):
            out.writeInteger(126 | maskBit)
            out.writeInteger(UInt16(length))
        default:
            out.writeInteger(127 | maskBit)
            out.writeInteger(UInt64(length))
        }
        if let maskKey { out.writeBytes(maskKey) }
    }
}

/// Writes WebSocket frames (RFC 6455 §5.2), masking with ``WebSocketMask``. A masked frame goes out
/// as one buffer: the header, then the payload copied and masked in place (the caller's buffer is
/// never written to, so masking costs no copy-on-write of a buffer still referenced upstream).
/// A ``PreparedMessage`` is framed and masked already and goes out as it is.
final class WordMaskingFrameEncoder: ChannelOutboundHandler {
    typealias OutboundIn = InstanceWebSocket.OutboundItem
    typealias OutboundOut = ByteBuffer

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let frame: WebSocketFrame
        switch Self.unwrapOutboundIn(data) {
        case .prepared(let buffer):
            context.write(Self.wrapOutboundOut(buffer), promise: promise)
            return
        case .frame(let f):
            frame = f
        }
        let length = (frame.extensionData?.readableBytes ?? 0) + frame.data.readableBytes
        var out = context.channel.allocator.buffer(capacity: WebSocketFrameHeader.maxLength + (frame.maskKey == nil ? 0 : length))
        var first = UInt8(webSocketOpcode: frame.opcode)
        if frame.fin { first |= 0x80 }
        if frame.rsv1 { first |= 0x40 }
        if frame.rsv2 { first |= 0x20 }
        if frame.rsv3 { first |= 0x10 }
        WebSocketFrameHeader.write(first: first, length: length, maskKey: frame.maskKey, into: &out)
        guard let key = frame.maskKey else {
            context.write(Self.wrapOutboundOut(out), promise: nil)
            if let extensionData = frame.extensionData { context.write(Self.wrapOutboundOut(extensionData), promise: nil) }
            context.write(Self.wrapOutboundOut(frame.data), promise: promise)
            return
        }
        let headerLength = out.readableBytes
        if let extensionData = frame.extensionData { out.writeImmutableBuffer(extensionData) }
        out.writeImmutableBuffer(frame.data)
        out.withUnsafeMutableReadableBytes { bytes in
            WebSocketMask.apply(key: Array(key), to: UnsafeMutableRawBufferPointer(rebasing: bytes[headerLength...]))
        }
        context.write(Self.wrapOutboundOut(out), promise: promise)
    }
}
