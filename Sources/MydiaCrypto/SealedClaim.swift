internal import CSodium

/// The sealed pairing claim of PROTOCOL.md §3.2: the instance stores its identity at the relay
/// under a lookup key derived from the claim code, encrypted under a key derived from the same
/// code, so the relay learns neither the code nor the instance key.
public enum SealedClaim {
    /// Why a claim could not be opened.
    public enum Error: Swift.Error, Equatable, Sendable, CustomStringConvertible {
        /// Not URL-safe base64, or shorter than a nonce and a tag.
        case malformed
        /// The tag did not verify: tampered, or sealed for another code.
        case tampered

        public var description: String {
            switch self {
            case .malformed: "The relay returned a claim that is not in the expected format."
            case .tampered: "The claim could not be opened — it was altered or belongs to another code."
            }
        }
    }

    /// The keys one claim code derives.
    public struct Keys: Sendable {
        /// Argon2id(code) — kept only to derive the other two.
        public let seed: SecretBytes
        /// HKDF-Expand(seed, "mydia/pairing/lookup/v1"): the relay's storage key.
        public let lookup: [UInt8]
        /// HKDF-Expand(seed, "mydia/pairing/seal/v1"): the ChaCha20-Poly1305 key.
        public let sealKey: SecretBytes

        /// `lookup` as 64 lowercase hex characters (also the AEAD's associated data).
        public var lookupHex: String { Encoding.hex(lookup) }

        /// Runs Argon2id v1.3 (opslimit 3, memlimit 64 MiB, salt `mydia-pairing-v1`) on the
        /// normalised code. Takes a noticeable fraction of a second by design.
        public init(code: ClaimCode) {
            _ = Sodium.ready
            let password = Array(code.value.utf8)
            let salt = Array("mydia-pairing-v1".utf8)
            precondition(salt.count == Int(crypto_pwhash_SALTBYTES))
            seed = SecretBytes(count: 32) { out in
                let rc = crypto_pwhash(
                    out.baseAddress!.assumingMemoryBound(to: UInt8.self), 32,
                    password.map { CChar(bitPattern: $0) }, UInt64(password.count), salt,
                    3, 64 * 1024 * 1024, crypto_pwhash_ALG_ARGON2ID13)
                // Only an allocation failure of the 64 MiB work area can make this fail.
                precondition(rc == 0, "Argon2id could not allocate its 64 MiB work area")
            }
            lookup = HKDF.expand(prk: seed, info: Array("mydia/pairing/lookup/v1".utf8), length: 32).exposedCopy()
            sealKey = HKDF.expand(prk: seed, info: Array("mydia/pairing/seal/v1".utf8), length: 32)
        }
    }

    /// `b64url(nonce (12) || ChaCha20-Poly1305(sealKey, nonce, plaintext, ad = hex(lookup)))`.
    /// - Parameter nonce: fixed only in test vectors; a fresh random nonce otherwise.
    public static func seal(_ plaintext: [UInt8], keys: Keys, nonce: [UInt8]? = nil) -> String {
        let n = nonce ?? Sodium.randomBytes(12)
        precondition(n.count == 12)
        let body = ChaChaPoly.seal(key: keys.sealKey, nonce: n, ad: Array(keys.lookupHex.utf8), plaintext: plaintext)
        return Encoding.base64URL(n + body)
    }

    /// Opens a sealed claim; the plaintext is the claim's JSON (checked by the wire layer).
    public static func open(_ sealed: String, keys: Keys) throws(Error) -> [UInt8] {
        guard let raw = Encoding.fromBase64URL(sealed), raw.count >= 12 + ChaChaPoly.tagBytes else { throw .malformed }
        guard let plaintext = ChaChaPoly.open(
            key: keys.sealKey, nonce: Array(raw.prefix(12)), ad: Array(keys.lookupHex.utf8), ciphertext: Array(raw.dropFirst(12)))
        else { throw .tampered }
        return plaintext
    }
}
