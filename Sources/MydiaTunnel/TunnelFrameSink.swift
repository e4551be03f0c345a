public import NIOCore

/// Where a tunnel's sealed frames go (PROTOCOL.md §13.10). Each frame is sealed straight into the
/// buffer its socket sends: ``buffer`` returns one that already holds whatever the carrier puts
/// before a frame (on the relay: the WebSocket header and the session id), the responder writes
/// the frame after that and seals it where it lies, and ``send`` finishes the buffer (the relay's
/// masking) and queues it for the socket without waiting.
public struct TunnelFrameSink: Sendable {
    /// A buffer for one frame of `frameLength` bytes, to be written at its writer index.
    public let buffer: @Sendable (_ frameLength: Int) -> ByteBuffer
    /// Queues a buffer from ``buffer`` once its frame is written; it may finish it in place first.
    public let send: @Sendable (inout ByteBuffer) -> Void

    public init(buffer: @escaping @Sendable (_ frameLength: Int) -> ByteBuffer, send: @escaping @Sendable (inout ByteBuffer) -> Void) {
        self.buffer = buffer
        self.send = send
    }

    /// Each frame as a byte array, with nothing before it.
    public static func frames(_ deliver: @escaping @Sendable ([UInt8]) -> Void) -> TunnelFrameSink {
        TunnelFrameSink(buffer: { ByteBufferAllocator().buffer(capacity: $0) },
                        send: { deliver(Array($0.readableBytesView)) })
    }
}
