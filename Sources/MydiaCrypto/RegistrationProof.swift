/// Proof that a registering instance holds the private half of the key it registers
/// (PROTOCOL.md §12.2).
///
/// ```
/// proof = HMAC-SHA256(key = X25519(S_priv, relay_key), nonce || instance_id)
/// ```
/// `instance_id` enters as the ASCII bytes of its lowercase UUID string. The relay computes the same
/// key as `X25519(relay_priv, instance_public)` and compares the MACs in constant time.
public enum RegistrationProof {
    /// Why a proof could not be made.
    public enum Error: Swift.Error, Equatable, Sendable, CustomStringConvertible {
        /// A key was not 32 bytes, or the DH produced all zeros (low-order point).
        case invalidKey
        /// The relay's nonce was not 32 bytes.
        case invalidNonce

        public var description: String {
            switch self {
            case .invalidKey: "The relay's registration key is not a usable X25519 public key."
            case .invalidNonce: "The relay's registration nonce is not 32 bytes."
            }
        }
    }

    /// Size of the relay's challenge nonce, in bytes.
    public static let nonceBytes = 32
    /// Size of a proof, in bytes.
    public static let proofBytes = 32

    /// The instance side: makes the proof for a `challenge`.
    /// - Parameters:
    ///   - staticKey: the instance's static key pair `S`.
    ///   - relayKey: the challenge's `relay_key` (32 bytes).
    ///   - nonce: the challenge's `nonce` (32 bytes).
    ///   - instanceID: the `instance_id` sent in `register`.
    public static func make(
        staticKey: X25519KeyPair, relayKey: some Collection<UInt8>, nonce: some Collection<UInt8>, instanceID: String
    ) throws(Error) -> [UInt8] {
        let nonce = Array(nonce)
        guard nonce.count == nonceBytes else { throw .invalidNonce }
        let shared: SecretBytes
        do {
            shared = try X25519.sharedSecret(privateKey: staticKey.privateKey, publicKey: relayKey)
        } catch {
            throw .invalidKey
        }
        return mac(key: shared, nonce: nonce, instanceID: instanceID)
    }

    /// The relay side: `true` iff `proof` was made by the holder of `instancePublicKey`'s private
    /// half for this `nonce` and `instanceID`. Never throws: anything malformed is simply `false`.
    /// - Parameters:
    ///   - proof: the `register` message's decoded `proof`.
    ///   - relayKey: the fresh key pair whose public half went out in the `challenge`.
    ///   - instancePublicKey: the `register` message's `public_key`.
    ///   - nonce: the nonce sent in the `challenge`.
    ///   - instanceID: the `register` message's `instance_id`.
    public static func verify(
        _ proof: some Collection<UInt8>, relayKey: X25519KeyPair, instancePublicKey: some Collection<UInt8>,
        nonce: some Collection<UInt8>, instanceID: String
    ) -> Bool {
        let nonce = Array(nonce)
        let proof = Array(proof)
        guard nonce.count == nonceBytes, proof.count == proofBytes,
            let shared = try? X25519.sharedSecret(privateKey: relayKey.privateKey, publicKey: instancePublicKey)
        else { return false }
        let expected = mac(key: shared, nonce: nonce, instanceID: instanceID)
        return ConstantTime.equals(expected, proof)
    }

    private static func mac(key: SecretBytes, nonce: [UInt8], instanceID: String) -> [UInt8] {
        let id = Array(instanceID.utf8)
        var out = [UInt8](repeating: 0, count: proofBytes)
        key.withUnsafeBytes { k in
            nonce.withUnsafeBytes { n in
                id.withUnsafeBytes { i in
                    out.withUnsafeMutableBytes { o in Sodium.hmacSHA256(key: k, [n, i], into: o) }
                }
            }
        }
        return out
    }
}
