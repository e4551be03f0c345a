@testable import MydiaTunnel
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

/// The instance's frame encoder must put exactly swift-nio's bytes on the wire (RFC 6455 §5.2),
/// only faster: every header length form, masked and unmasked, with and without fin.
@Suite struct WordMaskingFrameEncoderTests {
    static func encode(_ item: some Any, with handler: some ChannelOutboundHandler) throws -> [UInt8] {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.writeOutbound(item)
        var bytes: [UInt8] = []
        while var buffer = try channel.readOutbound(as: ByteBuffer.self) { bytes += buffer.readBytes(length: buffer.readableBytes) ?? [] }
        _ = try channel.finish()
        return bytes
    }

    @Test(arguments: [0, 1, 5, 125, 126, 127, 1_000, 65_535, 65_536, 65_599])
    func matchesSwiftNIOsEncoder(length: Int) throws {
        let payload = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let key = WebSocketMaskingKey([0x37, 0xfa, 0x21, 0x3d])
        for (opcode, fin, mask) in [(WebSocketOpcode.binary, true, key), (.text, true, key), (.continuation, false, key), (.binary, true, nil)] {
            let frame = WebSocketFrame(fin: fin, opcode: opcode, maskKey: mask, data: ByteBuffer(bytes: payload))
            let ours = try Self.encode(RelayWebSocket.OutboundItem.frame(frame), with: WordMaskingFrameEncoder())
            let theirs = try Self.encode(frame, with: WebSocketFrameEncoder())
            #expect(ours == theirs, "length \(length), \(opcode), fin \(fin), masked \(mask != nil)")
        }
    }

    @Test func leavesTheCallersBufferUnmasked() throws {
        let payload = ByteBuffer(bytes: Array(repeating: 0xAB, count: 300))
        _ = try Self.encode(RelayWebSocket.OutboundItem.frame(WebSocketFrame(fin: true, opcode: .binary, maskKey: .random(), data: payload)),
                            with: WordMaskingFrameEncoder())
        #expect(Array(payload.readableBytesView) == Array(repeating: 0xAB, count: 300))
    }

    /// A message built in place (header, payload appended, masked where it lies) is byte for byte
    /// swift-nio's encoding of the same payload under the same key, and the encoder passes it on
    /// untouched.
    @Test(arguments: [0, 1, 5, 125, 126, 127, 1_000, 65_535, 65_536, 65_599])
    func preparedMessagesMatchSwiftNIOsEncoder(length: Int) throws {
        let payload = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 5) }
        var prepared = PreparedMessage.begin(payloadLength: length)
        let headerLength = prepared.readableBytes
        prepared.writeBytes(payload)
        PreparedMessage.mask(&prepared)
        let keyBytes = try #require(prepared.getBytes(at: prepared.readerIndex + headerLength - 4, length: 4))
        let key = try #require(WebSocketMaskingKey(keyBytes))
        let theirs = try Self.encode(WebSocketFrame(fin: true, opcode: .binary, maskKey: key, data: ByteBuffer(bytes: payload)),
                                     with: WebSocketFrameEncoder())
        #expect(Array(prepared.readableBytesView) == theirs, "length \(length)")
        #expect(try Self.encode(RelayWebSocket.OutboundItem.prepared(prepared), with: WordMaskingFrameEncoder()) == theirs)
    }

    @Test func theUpgradeAcceptValueIsRFC6455s() {
        // RFC 6455 §1.3's example.
        #expect(RelayWebSocket.accept(for: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }
}
