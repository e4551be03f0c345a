import Testing
@testable import MydiaCrypto

/// PROTOCOL.md §3.1–§3.2: claim codes and the sealed claim, against the K7RPM2 vector.
@Suite struct SealedClaimTests {
    let vector: [String: Any]
    init() throws { vector = try Fixtures.json("mydia-transport-v1.json").object("sealed_claim") }

    @Test func k7rpm2DerivesTheVectorKeysAndSeal() throws {
        let keys = SealedClaim.Keys(code: try ClaimCode(try vector.string("code")))
        #expect(keys.seed.exposedCopy() == (try vector.hex("seed")))
        #expect(keys.lookupHex == (try vector.string("lookup")))
        #expect(keys.sealKey.exposedCopy() == (try vector.hex("sealkey")))
        let plaintext = Array(try vector.string("plaintext").utf8)
        let sealed = SealedClaim.seal(plaintext, keys: keys, nonce: try vector.hex("nonce"))
        #expect(sealed == (try vector.string("sealed")))
        #expect(try SealedClaim.open(sealed, keys: keys) == plaintext)
    }

    @Test func typedVariantsNormaliseToTheSameCode() throws {
        let code = try vector.string("code")
        let variants = try #require(vector["typed_variants_that_normalise_to_it"] as? [String])
        #expect(variants.count == 3)
        for typed in variants { #expect(try ClaimCode(typed).value == code, "\(typed)") }
        #expect(try ClaimCode(" 123-456 ").value == "123456")
        #expect(try ClaimCode("012345").value == "012345")
    }

    @Test func malformedCodesAreRefused() {
        for bad in ["", "12345", "1234567", "K7RPM0", "K7RPMI", "ABC12!", "12 34 5", "１２３４５６"] {
            #expect(throws: ClaimCode.Error.invalid, "\(bad)") { try ClaimCode(bad) }
        }
    }

    @Test func generatedCodesAreSixUniformDigits() throws {
        var firstDigits = Set<Character>()
        for _ in 0..<300 {
            let code = ClaimCode.generate()
            #expect(code.value.count == 6 && code.value.allSatisfy(\.isNumber))
            #expect(try ClaimCode(code.value) == code)
            firstDigits.insert(code.value.first!)
        }
        #expect(firstDigits.count >= 8)  // leading zeros included, no bias toward 1–9
    }

    @Test func tamperedWrongCodeAndGarbageClaimsDoNotOpen() throws {
        let keys = SealedClaim.Keys(code: try ClaimCode(try vector.string("code")))
        let sealed = try vector.string("sealed")
        var raw = try #require(Encoding.fromBase64URL(sealed))
        raw[20] ^= 1
        #expect(throws: SealedClaim.Error.tampered) { try SealedClaim.open(Encoding.base64URL(raw), keys: keys) }
        let other = SealedClaim.Keys(code: try ClaimCode("123456"))
        #expect(throws: SealedClaim.Error.tampered) { try SealedClaim.open(sealed, keys: other) }
        #expect(throws: SealedClaim.Error.malformed) { try SealedClaim.open("not base64!", keys: keys) }
        #expect(throws: SealedClaim.Error.malformed) { try SealedClaim.open("AAAA", keys: keys) }
    }

    @Test func freshSealsUseFreshNonces() throws {
        let keys = SealedClaim.Keys(code: try ClaimCode("246810"))
        let a = SealedClaim.seal([1, 2, 3], keys: keys), b = SealedClaim.seal([1, 2, 3], keys: keys)
        #expect(a != b)
        #expect(try SealedClaim.open(a, keys: keys) == [1, 2, 3])
    }
}
