import MydiaWire
public import NIOCore
public import NIOWebSocket

/// A masked binary message built in the buffer the socket sends: ``begin``
/// writes the frame header and a fresh mask key, the caller appends exactly the payload length it
/// announced, ``mask(_:)`` masks the payload where it lies, and the encoder passes the buffer on
/// as it is. A tunnel frame is sealed straight into such a buffer, so its bytes are written once
/// between the file read and the socket (no copy into a masking buffer, none for the session id).
public enum PreparedMessage {
    /// A buffer holding the header of a masked binary message of `payloadLength` bytes, with room
    /// for the payload.
    public static func begin(payloadLength: Int) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: WebSocketFrameHeader.maxLength + payloadLength)
        WebSocketFrameHeader.write(first: 0x80 | UInt8(webSocketOpcode: .binary), length: payloadLength,
                                   maskKey: .random(), into: &buffer)
        return buffer
    }

    /// Masks the payload of a message from ``begin(payloadLength:)`` in place.
    public static func mask(_ buffer: inout ByteBuffer) {
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
public enum WebSocketFrameHeader {
    /// 2 bytes, an 8-byte extended length and a 4-byte mask key.
    public static let maxLength = 14

    /// Writes the header of a frame of `length` payload bytes; `first` is FIN, RSV and opcode.
    public static func write(first: UInt8, length: Int, maskKey: WebSocketMaskingKey?, into out: inout ByteBuffer) {
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
public final class WordMaskingFrameEncoder: ChannelOutboundHandler {
    public typealias OutboundIn = RelayWebSocket.OutboundItem
    public typealias OutboundOut = ByteBuffer

    public init() {}

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
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
