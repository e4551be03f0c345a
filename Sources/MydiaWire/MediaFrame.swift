/// A media-channel plaintext (PROTOCOL.md §5.2, §11.6):
/// `stream id (4, big-endian) || flags (1) || data`.
public struct MediaFrame: Sendable, Equatable {
    /// Flag bits.
    public struct Flags: OptionSet, Sendable, Equatable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// The last frame of the stream (it may still carry data).
        public static let end = Flags(rawValue: 0x01)
        /// The sender gave up; `data` is a UTF-8 reason.
        public static let aborted = Flags(rawValue: 0x02)
    }

    /// Recommended data size per frame.
    public static let recommendedDataSize = 16 * 1024
    /// Largest data a frame can carry: 64 KiB plaintext minus the 5-byte prefix.
    public static let maxDataSize = 65_536 - 5

    /// Why bytes are not a media frame.
    public enum DecodingError: Error, Equatable, Sendable {
        case tooShort
        case unknownFlags(UInt8)
    }

    /// The request id this stream answers.
    public var streamID: UInt32
    public var flags: Flags
    public var data: [UInt8]

    public init(streamID: UInt32, flags: Flags = [], data: [UInt8] = []) {
        precondition(data.count <= Self.maxDataSize)
        self.streamID = streamID
        self.flags = flags
        self.data = data
    }

    /// An aborted-stream frame carrying `reason`.
    public static func aborted(_ streamID: UInt32, reason: String) -> MediaFrame {
        MediaFrame(streamID: streamID, flags: .aborted, data: Array(reason.utf8.prefix(1024)))
    }

    public var isEnd: Bool { flags.contains(.end) }
    public var isAborted: Bool { flags.contains(.aborted) }

    /// Length of the `stream id || flags` prefix.
    public static let prefixLength = 5

    /// The frame plaintext.
    public func encoded() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: Self.prefixLength + data.count) { out, n in
            let raw = UnsafeMutableRawBufferPointer(out)
            Self.writePrefix(streamID: streamID, flags: flags, to: raw)
            data.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: raw[Self.prefixLength...]).copyMemory(from: $0) }
            n = Self.prefixLength + data.count
        }
    }

    /// Writes `stream id (4, big-endian) || flags (1)` to the first five bytes of `out`: a frame
    /// built in place, its data written after them by the caller.
    public static func writePrefix(streamID: UInt32, flags: Flags, to out: UnsafeMutableRawBufferPointer) {
        precondition(out.count >= prefixLength)
        out.storeBytes(of: streamID.bigEndian, toByteOffset: 0, as: UInt32.self)
        out[4] = flags.rawValue
    }

    public init(decoding bytes: some Collection<UInt8>) throws(DecodingError) {
        let b = Array(bytes)
        guard b.count >= 5 else { throw .tooShort }
        let flags = Flags(rawValue: b[4])
        guard flags.rawValue & ~(Flags.end.rawValue | Flags.aborted.rawValue) == 0 else { throw .unknownFlags(b[4]) }
        streamID = b[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        self.flags = flags
        data = Array(b[5...])
    }
}
