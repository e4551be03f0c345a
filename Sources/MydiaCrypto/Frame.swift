/// The 11-byte transport frame header of PROTOCOL.md §4.2:
/// `version (1) = 0x01 || channel (1) || flags (1) || counter (8, big-endian)`.
public struct FrameHeader: Sendable, Equatable {
    /// The only protocol version.
    public static let version: UInt8 = 0x01
    /// Header length in bytes; also the AEAD associated data.
    public static let length = 11
    /// Poly1305 tag length.
    public static let tagLength = 16
    /// Largest plaintext one frame may carry (PROTOCOL.md §4.2).
    public static let maxPlaintext = 65_536
    /// Smallest valid frame: a header and a tag around an empty plaintext.
    public static let minFrame = length + tagLength
    /// Largest valid frame: 65,563 bytes (PROTOCOL.md §2.3, §12.1).
    public static let maxFrame = length + maxPlaintext + tagLength
    /// Flag bit 0: the sender's key phase (§4.4). Every other bit must be zero.
    public static let keyPhaseBit: UInt8 = 0x01

    public let channel: Channel
    /// 0 or 1.
    public let keyPhase: UInt8
    public let counter: UInt64

    public init(channel: Channel, keyPhase: UInt8, counter: UInt64) {
        precondition(keyPhase <= 1)
        self.channel = channel
        self.keyPhase = keyPhase
        self.counter = counter
    }

    /// The 11 header bytes.
    public var bytes: [UInt8] {
        var out: [UInt8] = [Self.version, channel.rawValue, keyPhase]
        withUnsafeBytes(of: counter.bigEndian) { out += $0 }
        return out
    }

    /// Parses the header of a received frame. `nil` unless the version is 0x01, the channel is
    /// known and only the key-phase flag may be set. Length limits are the caller's check.
    public init?(parsing frame: some Collection<UInt8>) {
        guard frame.count >= Self.length else { return nil }
        var i = frame.startIndex
        func next() -> UInt8 { defer { i = frame.index(after: i) }; return frame[i] }
        guard next() == Self.version, let channel = Channel(rawValue: next()) else { return nil }
        let flags = next()
        guard flags & ~Self.keyPhaseBit == 0 else { return nil }
        var counter: UInt64 = 0
        for _ in 0..<8 { counter = counter << 8 | UInt64(next()) }
        self.init(channel: channel, keyPhase: flags, counter: counter)
    }

    /// Whether `bytes` start like a transport frame (`01 01|02 00|01`, §4.2's first-byte test).
    /// Only advisory: during the handshake every message is a handshake message (§12.8).
    public static func looksLikeTransport(_ bytes: some Collection<UInt8>) -> Bool {
        let b = Array(bytes.prefix(3))
        return b.count == 3 && b[0] == version && Channel(rawValue: b[1]) != nil && b[2] & ~keyPhaseBit == 0
    }
}

/// A tunnel channel (PROTOCOL.md §4.2). Both share one key pair and one counter per direction.
public enum Channel: UInt8, Sendable, CaseIterable {
    /// JSON request/response messages (§5.1).
    case api = 0x01
    /// Stream data (§5.2).
    case media = 0x02
}
