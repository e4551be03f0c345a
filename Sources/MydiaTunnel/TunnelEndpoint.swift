public import Logging
public import MydiaCrypto
import NIOCore

/// What both ends of a tunnel share (PROTOCOL.md §4, §5): the limits both assume, the sealing of a
/// frame straight into the buffer its carrier sends, and the throttled drop log. The client's
/// `TunnelSession` (requester) and the instance's `TunnelResponder` (responder) are the two roles
/// on top.
public enum TunnelLimits {
    /// Each stream starts with this much credit (§5.3).
    public static let initialCredit = 256 * 1024
    /// At most this many requests in flight; a responder answers more with an inline 429 (§11.13).
    public static let maxInFlight = 64
}

extension E2EESession {
    /// Seals one frame of `plaintextCount` plaintext bytes into a buffer from `sink`: `write` fills
    /// the plaintext where it lies in the frame, the frame is encrypted in place, and the buffer
    /// goes to `sink.send` — so a frame's bytes are written once between their source and the
    /// socket.
    public mutating func seal(
        channel: MydiaCrypto.Channel, plaintextCount: Int, into sink: TunnelFrameSink, _ write: (UnsafeMutableRawBufferPointer) -> Void
    ) throws(E2EESession.Error) {
        let frameLength = FrameHeader.minFrame + plaintextCount
        var buffer = sink.buffer(frameLength)
        var failure: E2EESession.Error?
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: frameLength) { out in
            let frame = UnsafeMutableRawBufferPointer(rebasing: out[0..<frameLength])
            write(UnsafeMutableRawBufferPointer(rebasing: frame[FrameHeader.length..<(frameLength - FrameHeader.tagLength)]))
            do throws(E2EESession.Error) { try seal(channel: channel, inPlace: frame) } catch {
                failure = error
                return 0
            }
            return frameLength
        }
        if let failure { throw failure }
        sink.send(&buffer)
    }

    /// Seals `plaintext` as one frame into a buffer from `sink` (see the method above).
    public mutating func seal(channel: MydiaCrypto.Channel, plaintext: [UInt8], into sink: TunnelFrameSink) throws(E2EESession.Error) {
        try seal(channel: channel, plaintextCount: plaintext.count, into: sink) { out in
            plaintext.withUnsafeBytes { out.copyMemory(from: $0) }
        }
    }
}

extension Logger {
    /// Logs a dropped tunnel frame (MAC failure, replay, …) if `throttle` lets it through, with its
    /// reason and never its bytes (§4.5, §12.4).
    public func droppedTunnelFrame(_ reason: String, throttle: inout LogThrottle) {
        guard throttle.admit() else { return }
        notice("dropped a tunnel frame", metadata: ["reason": "\(reason)"])
    }
}
