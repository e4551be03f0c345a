/// RFC 6455 §5.3 masking, eight bytes at a time (PROTOCOL.md §13.9).
///
/// swift-nio's `webSocketMask` XORs one byte per loop step, with a `% 4` per byte: on the relay
/// path that loop was the largest single cost (about a fifth of all CPU time, run once when an
/// instance sends and once when the relay receives). The key repeats every 4 bytes, so a 64-bit
/// word of two keys masks eight bytes at once; the loop over words is what the compiler vectorizes.
public enum WebSocketMask {
    /// XORs `bytes` with `key` in place. `phase` is the key index of the first byte (the count of
    /// bytes of the same frame before these, modulo 4). Masking twice restores the bytes.
    /// - Precondition: `key` has exactly 4 bytes.
    public static func apply(key: [UInt8], to bytes: UnsafeMutableRawBufferPointer, phase: Int = 0) {
        precondition(key.count == 4, "a WebSocket masking key has 4 bytes")
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        var k = [UInt8](repeating: 0, count: 4)
        for i in 0..<4 { k[(i - phase % 4 + 4) % 4] = key[i] }
        // k[j] is the key byte for the j-th byte from `base`, repeating every 4.
        let word32 = UInt32(k[0]) | UInt32(k[1]) << 8 | UInt32(k[2]) << 16 | UInt32(k[3]) << 24
        let word = UInt64(word32) | UInt64(word32) << 32
        let words = bytes.count / 8
        var offset = 0
        for _ in 0..<words {
            let w = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            base.storeBytes(of: w ^ word.littleEndian, toByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        while offset < bytes.count {
            base.storeBytes(of: base.load(fromByteOffset: offset, as: UInt8.self) ^ k[offset % 4], toByteOffset: offset, as: UInt8.self)
            offset += 1
        }
    }
}
