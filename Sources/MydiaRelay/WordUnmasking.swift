import HummingbirdWebSocket
import MydiaTunnel
import NIOCore
import NIOWebSocket

/// Unmasks each data frame from a WebSocket client eight bytes at a time before WSCore reads it
/// (PROTOCOL.md §13.9). A local frame transform, applied without negotiation: nothing changes on
/// the wire. WSCore otherwise unmasks with swift-nio's byte-at-a-time loop, which cost the relay
/// more than a third of its receiving thread at full speed. Control frames (ping, pong, close)
/// are small and stay with WSCore.
struct WordUnmasking: WebSocketExtension {
    let name = "mydia-word-unmasking"

    func processReceivedFrame(_ frame: WebSocketFrame, context: WebSocketExtensionContext) async throws -> WebSocketFrame {
        guard let maskKey = frame.maskKey else { return frame }
        let key = Array(maskKey)
        var frame = frame
        var phase = 0
        if var extensionData = frame.extensionData {
            phase = extensionData.readableBytes % 4
            extensionData.withUnsafeMutableReadableBytes { WebSocketMask.apply(key: key, to: $0) }
            frame.extensionData = extensionData
        }
        frame.data.withUnsafeMutableReadableBytes { WebSocketMask.apply(key: key, to: $0, phase: phase) }
        frame.maskKey = nil
        return frame
    }

    func processFrameToSend(_ frame: WebSocketFrame, context: WebSocketExtensionContext) async throws -> WebSocketFrame {
        frame
    }

    func shutdown() async {}
}
