import Testing
import MydiaCrypto

/// Base32 (RFC 4648 §6) as TOTP secrets use it: RFC 4648 §10's vectors both ways.
@Suite struct Base32Tests {
    let vectors: [String: Any]
    init() throws { vectors = try Fixtures.json("base32-rfc4648.json") }

    @Test func encodesRFC4648VectorsUnpadded() throws {
        let cases = try vectors.objects("vectors")
        #expect(cases.count == 7)
        for c in cases {
            #expect(Base32.encode(Array(try c.string("ascii").utf8)) == (try c.string("base32")))
        }
    }

    @Test func decodesUnpaddedPaddedAndLowercase() throws {
        for c in try vectors.objects("vectors") + vectors.objects("padded") {
            let bytes = Array(try c.string("ascii").utf8)
            let text = try c.string("base32")
            #expect(Base32.decode(text) == bytes)
            #expect(Base32.decode(text.lowercased()) == bytes)
        }
    }

    @Test func roundTripsEveryLengthAndByte() {
        let all = (0...255).map { UInt8($0) }
        for length in 0...40 {
            let bytes = Array(all.shuffled().prefix(length))
            let text = Base32.encode(bytes)
            #expect(!text.contains("="))
            #expect(text.allSatisfy { "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".contains($0) })
            #expect(Base32.decode(text) == bytes)
        }
    }

    @Test func rejectsWhatNoEncoderWrites() {
        #expect(Base32.decode("MZXW1") == nil)   // 1 is not in the alphabet
        #expect(Base32.decode("MZXW8") == nil)
        #expect(Base32.decode("MZ XW") == nil)
        #expect(Base32.decode("M") == nil)       // a length mod 8 of 1
        #expect(Base32.decode("MZX") == nil)     // … of 3
        #expect(Base32.decode("MZXW6Y") == nil)  // … of 6
        #expect(Base32.decode("MZ") == nil)      // non-zero bits after the last byte ("f" is MY)
        #expect(Base32.decode("ÄZXW6") == nil)
    }
}
