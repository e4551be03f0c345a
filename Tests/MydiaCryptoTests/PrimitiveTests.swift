import Testing
@testable import MydiaCrypto

/// RFC vectors for the primitives under the Noise engine, run through the module's own wrappers.
@Suite struct PrimitiveTests {
    let vectors: [String: Any]
    init() throws { vectors = try Fixtures.json("primitives-chachapoly-x25519-hkdf-sha256.json") }

    @Test func chaChaPolyRFC8439() throws {
        let cases = try vectors.objects("chacha20poly1305_ietf")
        #expect(cases.count == 2)
        for c in cases {
            let key = SecretBytes(copying: try c.hex("key"))
            let nonce = try c.hex("nonce"), ad = try c.hex("aad"), pt = try c.hex("plaintext")
            let sealed = ChaChaPoly.seal(key: key, nonce: nonce, ad: ad, plaintext: pt)
            #expect(sealed == (try c.hex("ciphertext")) + (try c.hex("tag")))
            #expect(ChaChaPoly.open(key: key, nonce: nonce, ad: ad, ciphertext: sealed) == pt)
            var bad = sealed
            bad[bad.count - 1] ^= 0x80
            #expect(ChaChaPoly.open(key: key, nonce: nonce, ad: ad, ciphertext: bad) == nil)
            #expect(ChaChaPoly.open(key: key, nonce: nonce, ad: ad + [0], ciphertext: sealed) == nil)
        }
    }

    @Test func x25519RFC7748Functions() throws {
        let x = try vectors.object("x25519")
        for c in try x.objects("function_vectors") {
            let out = try X25519.sharedSecret(privateKey: SecretBytes(copying: try c.hex("scalar")), publicKey: try c.hex("u"))
            #expect(out.exposedCopy() == (try c.hex("output")))
        }
        // (k, u) = (X25519(k, u), k), 1 and 1,000 rounds (the 1,000,000 round is left to the RFC).
        let iterated = try x.object("iterated")
        var k = try iterated.hex("start_k"), u = try iterated.hex("start_u")
        for round in 1...1000 {
            let next = try X25519.sharedSecret(privateKey: SecretBytes(copying: k), publicKey: u).exposedCopy()
            (k, u) = (next, k)
            if round == 1 { #expect(k == (try iterated.hex("after_1"))) }
        }
        #expect(k == (try iterated.hex("after_1000")))
    }

    @Test func x25519RFC7748DiffieHellman() throws {
        let dh = try vectors.object("x25519").object("dh")
        let alice = try X25519KeyPair(privateKeyBytes: try dh.hex("alice_private"))
        let bob = try X25519KeyPair(privateKeyBytes: try dh.hex("bob_private"))
        #expect(alice.publicKey == (try dh.hex("alice_public")))
        #expect(bob.publicKey == (try dh.hex("bob_public")))
        let s1 = try X25519.sharedSecret(privateKey: alice.privateKey, publicKey: bob.publicKey)
        let s2 = try X25519.sharedSecret(privateKey: bob.privateKey, publicKey: alice.publicKey)
        #expect(s1.exposedCopy() == (try dh.hex("shared")))
        #expect(s1.constantTimeEquals(s2))
    }

    @Test func x25519RejectsLowOrderPointsAndBadLengths() throws {
        let me = X25519KeyPair.generate()
        // Small-order points from the Curve25519 twist table: 0, 1, and the order-8 point.
        let lowOrder = [
            [UInt8](repeating: 0, count: 32),
            [1] + [UInt8](repeating: 0, count: 31),
            hex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
        ]
        for point in lowOrder {
            #expect(throws: X25519.Error.lowOrderPoint) { try X25519.sharedSecret(privateKey: me.privateKey, publicKey: point) }
        }
        #expect(throws: X25519.Error.invalidKeyLength) { try X25519.sharedSecret(privateKey: me.privateKey, publicKey: [1, 2, 3]) }
        #expect(throws: X25519.Error.invalidKeyLength) { try X25519KeyPair(privateKeyBytes: [UInt8](repeating: 1, count: 31)) }
    }

    @Test func hkdfRFC5869() throws {
        let cases = try vectors.objects("hkdf_sha256")
        #expect(cases.count == 3)
        for c in cases {
            let length = Int(try c.uint64("L"))
            let okm = HKDF.deriveKey(salt: try c.hex("salt"), inputKeyMaterial: try c.hex("ikm"), info: try c.hex("info"), length: length)
            let source = try c.string("source")
            #expect(okm.exposedCopy() == (try c.hex("okm")), "\(source)")
            let fromPRK = HKDF.expand(prk: SecretBytes(copying: try c.hex("prk")), info: try c.hex("info"), length: length)
            #expect(fromPRK.constantTimeEquals(okm))
        }
    }

    @Test func noiseRekeyKeepsTheNonce() throws {
        let d = try vectors.object("derived_noise_rekey")
        var cipher = CipherState(key: SecretBytes(copying: try d.hex("k")))
        cipher.nonce = 5
        cipher.rekey()
        #expect(try cipher.keyMaterial().exposedCopy() == (try d.hex("rekeyed_k")))
        #expect(cipher.nonce == 5)
        let then = try d.object("then_encrypt")
        #expect(try cipher.encrypt(ad: [], plaintext: try then.hex("plaintext")) == (try then.hex("ciphertext_and_tag")))
    }

    @Test func noiseCipherStateRefusesTheLastNonce() throws {
        var cipher = CipherState(key: SecretBytes.random(count: 32))
        cipher.nonce = .max
        #expect(throws: NoiseError.nonceExhausted) { try cipher.encrypt(ad: [], plaintext: [1]) }
    }

    @Test func constantTimeEqualityAndCodecs() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(ConstantTime.equals("abc", "abc") && !ConstantTime.equals("abc", "abd"))
        #expect(ConstantTime.isZero([0, 0]) && !ConstantTime.isZero([0, 1]))
        #expect(Encoding.hex([0x00, 0xab, 0xff]) == "00abff")
        #expect(Encoding.fromHex("00ABff") == [0x00, 0xab, 0xff])
        #expect(Encoding.fromHex("abc") == nil && Encoding.fromHex("zz") == nil)
        #expect(Encoding.base64([0xfb, 0xff]) == "+/8=")
        #expect(Encoding.base64URL([0xfb, 0xff]) == "-_8")
        #expect(Encoding.fromBase64URL("-_8") == [0xfb, 0xff])
        #expect(Encoding.fromBase64URL("-_8=") == [0xfb, 0xff])
        #expect(Encoding.fromBase64URL("-_8!") == nil)
        #expect(Encoding.fromBase64("+/8=") == [0xfb, 0xff])
        #expect(Encoding.fromBase64("+/8") == nil)
    }

    @Test func certificateFingerprintIsSHA256OfTheDER() {
        // SHA-256("abc") from FIPS 180-2.
        let fp = CertificateFingerprint(der: Array("abc".utf8))
        #expect(fp.hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(CertificateFingerprint(hex: fp.hex.uppercased()) == fp)
        #expect(CertificateFingerprint(hex: "ba7816") == nil)
        #expect(!fp.matches(CertificateFingerprint(der: Array("abd".utf8))))
    }

    @Test func secretBytesHoldAndCompare() {
        let a = SecretBytes(copying: [1, 2, 3, 4])
        #expect(a.count == 4 && a.exposedCopy() == [1, 2, 3, 4])
        #expect(a.constantTimeEquals([1, 2, 3, 4]) && !a.constantTimeEquals([1, 2, 3, 5]))
        #expect(!a.constantTimeEquals(SecretBytes(copying: [1, 2, 3])))
        #expect(SecretBytes.random(count: 32).exposedCopy() != SecretBytes.random(count: 32).exposedCopy())
    }
}
