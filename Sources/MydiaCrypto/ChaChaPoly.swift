internal import CSodium

/// ChaCha20-Poly1305 IETF (RFC 8439) on raw buffers: the one AEAD this protocol uses.
///
/// Both the Noise engine (little-endian nonces) and `SecureChannel` (big-endian counter nonces)
/// build their 12-byte nonce themselves and call in here, so there is one AEAD code path.
enum ChaChaPoly {
    static let tagBytes = 16

    /// Writes `ciphertext || tag` (plaintext.count + 16 bytes) to `out`.
    static func seal(
        key: SecretBytes, nonce: UnsafeRawBufferPointer, ad: UnsafeRawBufferPointer,
        plaintext: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer
    ) {
        precondition(nonce.count == 12 && out.count == plaintext.count + tagBytes && key.count == 32)
        var written: UInt64 = 0
        key.withUnsafeBytes { k in
            _ = crypto_aead_chacha20poly1305_ietf_encrypt(
                out.baseAddress!.assumingMemoryBound(to: UInt8.self), &written,
                plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(plaintext.count),
                ad.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(ad.count),
                nil, nonce.baseAddress!.assumingMemoryBound(to: UInt8.self),
                k.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Verifies and decrypts `ciphertext || tag` into `out` (ciphertext.count − 16 bytes).
    /// Returns `false`, with `out` zeroed, when the tag does not authenticate.
    static func open(
        key: SecretBytes, nonce: UnsafeRawBufferPointer, ad: UnsafeRawBufferPointer,
        ciphertext: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer
    ) -> Bool {
        precondition(nonce.count == 12 && ciphertext.count >= tagBytes && out.count == ciphertext.count - tagBytes)
        var written: UInt64 = 0
        let rc = key.withUnsafeBytes { k in
            crypto_aead_chacha20poly1305_ietf_decrypt(
                out.baseAddress?.assumingMemoryBound(to: UInt8.self), &written, nil,
                ciphertext.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(ciphertext.count),
                ad.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(ad.count),
                nonce.baseAddress!.assumingMemoryBound(to: UInt8.self),
                k.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        if rc != 0 { Sodium.wipe(out); return false }
        return true
    }

    /// Array convenience around `seal`.
    static func seal(key: SecretBytes, nonce: [UInt8], ad: [UInt8], plaintext: [UInt8]) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: plaintext.count + tagBytes) { out, n in
            nonce.withUnsafeBytes { nb in ad.withUnsafeBytes { ab in plaintext.withUnsafeBytes { pb in
                seal(key: key, nonce: nb, ad: ab, plaintext: pb, into: UnsafeMutableRawBufferPointer(out))
            } } }
            n = plaintext.count + tagBytes
        }
    }

    /// Array convenience around `open`; `nil` when the tag does not authenticate.
    static func open(key: SecretBytes, nonce: [UInt8], ad: [UInt8], ciphertext: [UInt8]) -> [UInt8]? {
        guard ciphertext.count >= tagBytes else { return nil }
        var ok = false
        let out = [UInt8](unsafeUninitializedCapacity: ciphertext.count - tagBytes) { out, n in
            let raw = UnsafeMutableRawBufferPointer(out)
            nonce.withUnsafeBytes { nb in ad.withUnsafeBytes { ab in ciphertext.withUnsafeBytes { cb in
                ok = open(key: key, nonce: nb, ad: ab, ciphertext: cb, into: raw)
            } } }
            n = out.count
        }
        return ok ? out : nil
    }

    /// Noise's REKEY(k): the first 32 bytes of ENCRYPT(k, 2^64−1, empty, 32 zero bytes).
    /// The nonce `00000000 ffffffffffffffff` is the same in either byte order, so this serves both
    /// Noise CipherStates and the big-endian transport framing (PROTOCOL.md §4.4).
    static func rekey(_ key: SecretBytes) -> SecretBytes {
        let nonce: [UInt8] = [0, 0, 0, 0] + [UInt8](repeating: 0xff, count: 8)
        let zeros = [UInt8](repeating: 0, count: 32)
        var block = [UInt8](repeating: 0, count: 32 + tagBytes)
        nonce.withUnsafeBytes { nb in zeros.withUnsafeBytes { zb in block.withUnsafeMutableBytes { ob in
            seal(key: key, nonce: nb, ad: UnsafeRawBufferPointer(start: nil, count: 0), plaintext: zb, into: ob)
        } } }
        defer { Sodium.wipe(&block) }
        return SecretBytes(copying: block.prefix(32))
    }
}
