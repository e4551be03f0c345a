/// Noise `SymmetricState` (Noise spec §5.2) with SHA-256: chaining key `ck`, handshake hash `h`
/// and the CipherState they key.
struct SymmetricState: Sendable {
    private(set) var cipher = CipherState()
    private var chainingKey: SecretBytes
    private(set) var h: [UInt8]

    /// `InitializeSymmetric(protocol_name)`.
    init(protocolName: String) {
        let name = Array(protocolName.utf8)
        let h0 = name.count <= 32 ? name + [UInt8](repeating: 0, count: 32 - name.count) : Sodium.sha256(name)
        h = h0
        chainingKey = SecretBytes(copying: h0)
    }

    mutating func mixHash(_ data: [UInt8]) {
        h = Sodium.sha256(h, data)
    }

    mutating func mixKey(_ ikm: SecretBytes) {
        let out = ikm.withUnsafeBytes { HKDF.noise(chainingKey: chainingKey, inputKeyMaterial: $0, outputs: 2) }
        chainingKey = out[0]
        cipher = CipherState(key: out[1])
    }

    /// `MixKey` with public input (the psk-mode `e` token mixes the ephemeral public key).
    mutating func mixKey(publicInput: [UInt8]) {
        mixKey(SecretBytes(copying: publicInput))
    }

    mutating func mixKeyAndHash(_ ikm: SecretBytes) {
        let out = ikm.withUnsafeBytes { HKDF.noise(chainingKey: chainingKey, inputKeyMaterial: $0, outputs: 3) }
        chainingKey = out[0]
        mixHash(out[1].exposedCopy())
        cipher = CipherState(key: out[2])
    }

    mutating func encryptAndHash(_ plaintext: [UInt8]) throws(NoiseError) -> [UInt8] {
        let ciphertext = try cipher.encrypt(ad: h, plaintext: plaintext)
        mixHash(ciphertext)
        return ciphertext
    }

    mutating func decryptAndHash(_ ciphertext: [UInt8]) throws(NoiseError) -> [UInt8] {
        let plaintext = try cipher.decrypt(ad: h, ciphertext: ciphertext)
        mixHash(ciphertext)
        return plaintext
    }

    /// `Split()`: two CipherStates, `c1` (initiator → responder) and `c2` (responder → initiator).
    func split() -> (CipherState, CipherState) {
        let out = HKDF.noise(chainingKey: chainingKey, inputKeyMaterial: UnsafeRawBufferPointer(start: nil, count: 0), outputs: 2)
        return (CipherState(key: out[0]), CipherState(key: out[1]))
    }
}
