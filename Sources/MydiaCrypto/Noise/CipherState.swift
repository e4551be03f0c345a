/// Noise `CipherState` (Noise spec §5.1) for ChaChaPoly: a key and a 64-bit nonce, the nonce
/// encoded as 4 zero bytes then **little-endian** n (§12.3). Used inside the handshake and for
/// Noise's own transport messages (the test vectors); Mydia's tunnel uses `SecureChannel` instead.
public struct CipherState: Sendable {
    private(set) var key: SecretBytes?
    /// The next nonce.
    public internal(set) var nonce: UInt64 = 0

    /// An empty CipherState (no key: encryption is the identity, as Noise specifies).
    public init() {}

    /// A CipherState with key `k` and n = 0.
    public init(key: SecretBytes) { self.key = key }

    /// Whether a key is set.
    public var hasKey: Bool { key != nil }

    /// `EncryptWithAd(ad, plaintext)`; increments the nonce.
    public mutating func encrypt(ad: [UInt8], plaintext: [UInt8]) throws(NoiseError) -> [UInt8] {
        guard let key else { return plaintext }
        guard nonce != .max else { throw .nonceExhausted }
        let out = ChaChaPoly.seal(key: key, nonce: Self.nonceBytes(nonce), ad: ad, plaintext: plaintext)
        nonce += 1
        return out
    }

    /// `DecryptWithAd(ad, ciphertext)`; increments the nonce only when the tag verifies.
    public mutating func decrypt(ad: [UInt8], ciphertext: [UInt8]) throws(NoiseError) -> [UInt8] {
        guard let key else { return ciphertext }
        guard nonce != .max else { throw .nonceExhausted }
        guard let out = ChaChaPoly.open(key: key, nonce: Self.nonceBytes(nonce), ad: ad, ciphertext: ciphertext) else {
            throw .authenticationFailed
        }
        nonce += 1
        return out
    }

    /// Noise `Rekey()`: replaces the key with REKEY(k). The nonce is NOT reset (Noise spec §4.2).
    public mutating func rekey() {
        if let key { self.key = ChaChaPoly.rekey(key) }
    }

    /// The key, for building Mydia's transport keys after `Split()`.
    func keyMaterial() throws(NoiseError) -> SecretBytes {
        guard let key else { throw .handshakeIncomplete }
        return key
    }

    static func nonceBytes(_ n: UInt64) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 12)
        withUnsafeBytes(of: n.littleEndian) { out.replaceSubrange(4..<12, with: $0) }
        return out
    }
}
