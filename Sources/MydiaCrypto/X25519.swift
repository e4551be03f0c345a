internal import CSodium

/// An X25519 key pair. The private half lives in secure memory.
public struct X25519KeyPair: Sendable {
    /// The 32-byte public key.
    public let publicKey: [UInt8]
    /// The 32-byte private scalar (wiped when the last copy goes away).
    public let privateKey: SecretBytes

    /// Size of both halves, in bytes.
    public static let keyBytes = 32

    /// A fresh key pair from the system CSPRNG.
    public static func generate() -> X25519KeyPair {
        _ = Sodium.ready
        var pub = [UInt8](repeating: 0, count: keyBytes)
        let priv = SecretBytes(count: keyBytes) { sk in
            crypto_box_keypair(&pub, sk.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        return X25519KeyPair(publicKey: pub, privateKey: priv)
    }

    /// Rebuilds a key pair from a stored private key.
    /// - Throws: `X25519.Error.invalidKeyLength` unless the key is 32 bytes.
    public init(privateKey: SecretBytes) throws(X25519.Error) {
        guard privateKey.count == Self.keyBytes else { throw .invalidKeyLength }
        _ = Sodium.ready
        var pub = [UInt8](repeating: 0, count: Self.keyBytes)
        privateKey.withUnsafeBytes { sk in
            _ = crypto_scalarmult_base(&pub, sk.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        self.init(publicKey: pub, privateKey: privateKey)
    }

    /// Rebuilds a key pair from private key bytes (copied into secure memory).
    public init(privateKeyBytes: some Collection<UInt8>) throws(X25519.Error) {
        let bytes = Array(privateKeyBytes)
        guard bytes.count == Self.keyBytes else { throw .invalidKeyLength }
        try self.init(privateKey: SecretBytes(copying: bytes))
    }

    private init(publicKey: [UInt8], privateKey: SecretBytes) {
        self.publicKey = publicKey
        self.privateKey = privateKey
    }
}

/// The X25519 Diffie-Hellman function.
public enum X25519 {
    /// Why a DH could not be computed.
    public enum Error: Swift.Error, Equatable, Sendable {
        /// A key was not 32 bytes.
        case invalidKeyLength
        /// The peer's point has small order: the shared secret would be all zeros (PROTOCOL.md §12.8).
        case lowOrderPoint
    }

    /// `X25519(privateKey, publicKey)`, rejecting the all-zero output of a low-order point.
    public static func sharedSecret(
        privateKey: SecretBytes, publicKey: some Collection<UInt8>
    ) throws(Error) -> SecretBytes {
        let pub = Array(publicKey)
        guard pub.count == X25519KeyPair.keyBytes, privateKey.count == X25519KeyPair.keyBytes else {
            throw .invalidKeyLength
        }
        var failed = false
        let out = SecretBytes(count: 32) { out in
            let o = out.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let rc = privateKey.withUnsafeBytes { sk in
                crypto_scalarmult(o, sk.baseAddress!.assumingMemoryBound(to: UInt8.self), pub)
            }
            // libsodium already returns -1 for an all-zero result; the explicit check keeps that
            // guarantee independent of the library version.
            failed = rc != 0 || sodium_is_zero(o, 32) == 1
        }
        if failed { throw .lowOrderPoint }
        return out
    }
}
