import MydiaTunnel
import MydiaWire
import Testing

@Suite struct WebSocketMaskTests {
    /// RFC 6455 §5.3 as written: octet i XOR key[(i + phase) mod 4].
    static func reference(_ data: [UInt8], key: [UInt8], phase: Int) -> [UInt8] {
        data.enumerated().map { $0.element ^ key[($0.offset + phase) % 4] }
    }

    static func masked(_ data: [UInt8], key: [UInt8], phase: Int) -> [UInt8] {
        var out = data
        out.withUnsafeMutableBytes { WebSocketMask.apply(key: key, to: $0, phase: phase) }
        return out
    }

    @Test func matchesTheRFCForEveryLengthAndPhase() {
        var rng = SystemRandomNumberGenerator()
        for length in Array(0...70) + [1_000, 16_389, 65_531] {
            let data = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let key = (0..<4).map { _ in UInt8.random(in: 0...255, using: &rng) }
            for phase in 0..<8 {
                #expect(Self.masked(data, key: key, phase: phase) == Self.reference(data, key: key, phase: phase), "length \(length), phase \(phase)")
            }
        }
    }

    @Test func theRFCExample() {
        // RFC 6455 §5.7: "Hello" masked with 37 fa 21 3d.
        let masked = Self.masked(Array("Hello".utf8), key: [0x37, 0xfa, 0x21, 0x3d], phase: 0)
        #expect(masked == [0x7f, 0x9f, 0x4d, 0x51, 0x58])
    }

    @Test func maskingTwiceRestoresTheBytes() {
        let data = (0..<1_001).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let key: [UInt8] = [0xde, 0xad, 0xbe, 0xef]
        #expect(Self.masked(Self.masked(data, key: key, phase: 3), key: key, phase: 3) == data)
    }

    @Test func aSplitBufferMasksLikeOneWithThePhaseCarried() {
        let data = (0..<99).map { UInt8($0) }
        let key: [UInt8] = [1, 2, 3, 4]
        let whole = Self.masked(data, key: key, phase: 0)
        let split = Self.masked(Array(data[..<13]), key: key, phase: 0) + Self.masked(Array(data[13...]), key: key, phase: 13)
        #expect(split == whole)
    }
}
