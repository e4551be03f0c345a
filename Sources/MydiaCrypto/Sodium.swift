internal import CSodium

/// One-time libsodium initialisation and the primitive calls the rest of the module builds on.
///
/// Every public entry point that touches libsodium goes through `Sodium.ready` first, so callers
/// never have to remember `sodium_init()`.
enum Sodium {
    /// `sodium_init()` runs exactly once (a Swift global is initialised lazily and atomically).
    static let ready: Void = {
        guard sodium_init() >= 0 else { fatalError("libsodium failed to initialise") }
    }()

    static let aeadKeyBytes = Int(crypto_aead_chacha20poly1305_ietf_KEYBYTES)
    static let aeadNonceBytes = Int(crypto_aead_chacha20poly1305_ietf_NPUBBYTES)
    static let aeadTagBytes = Int(crypto_aead_chacha20poly1305_ietf_ABYTES)
    static let hashBytes = Int(crypto_hash_sha256_BYTES)

    /// Fills `count` bytes from the system CSPRNG.
    static func randomBytes(_ count: Int) -> [UInt8] {
        _ = ready
        return [UInt8](unsafeUninitializedCapacity: count) { buf, n in
            if count > 0 { randombytes_buf(buf.baseAddress!, count) }
            n = count
        }
    }

    /// A uniform random integer in `0..<upperBound` (no modulo bias).
    static func uniform(_ upperBound: UInt32) -> UInt32 {
        _ = ready
        return randombytes_uniform(upperBound)
    }

    static func sha256(_ parts: [UInt8]...) -> [UInt8] {
        _ = ready
        var state = crypto_hash_sha256_state()
        crypto_hash_sha256_init(&state)
        for part in parts { crypto_hash_sha256_update(&state, part, UInt64(part.count)) }
        var out = [UInt8](repeating: 0, count: hashBytes)
        crypto_hash_sha256_final(&state, &out)
        return out
    }

    /// HMAC-SHA256 over the concatenation of `parts`, written to `out` (32 bytes).
    static func hmacSHA256(
        key: UnsafeRawBufferPointer, _ parts: [UnsafeRawBufferPointer], into out: UnsafeMutableRawBufferPointer
    ) {
        _ = ready
        precondition(out.count == hashBytes)
        var state = crypto_auth_hmacsha256_state()
        precondition(key.count > 0, "HMAC keys are never empty here")
        crypto_auth_hmacsha256_init(&state, key.baseAddress!.assumingMemoryBound(to: UInt8.self), key.count)
        for part in parts {
            crypto_auth_hmacsha256_update(&state, part.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(part.count))
        }
        crypto_auth_hmacsha256_final(&state, out.baseAddress!.assumingMemoryBound(to: UInt8.self))
        sodium_memzero(&state, MemoryLayout<crypto_auth_hmacsha256_state>.size)
    }

    /// Overwrites `buffer` with zeros in a way the optimiser cannot elide.
    static func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        sodium_memzero(base, buffer.count)
    }

    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { wipe($0) }
    }
}
