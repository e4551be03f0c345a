import CSodium
import MydiaCrypto
import Testing

@Suite struct RegistrationProofTests {
    let instanceID = "6f1c2d3e-4a5b-4c6d-8e7f-901234567890"

    @Test func proofMadeByTheInstanceVerifiesAtTheRelay() throws {
        let instance = X25519KeyPair.generate()
        let relay = X25519KeyPair.generate()
        let nonce = SecretBytes.random(count: 32).exposedCopy()
        let proof = try RegistrationProof.make(staticKey: instance, relayKey: relay.publicKey, nonce: nonce, instanceID: instanceID)
        #expect(proof.count == 32)
        #expect(RegistrationProof.verify(proof, relayKey: relay, instancePublicKey: instance.publicKey, nonce: nonce, instanceID: instanceID))
    }

    @Test func proofMatchesAnIndependentHMACOverTheSharedSecret() throws {
        let instance = X25519KeyPair.generate()
        let relay = X25519KeyPair.generate()
        let nonce = [UInt8](repeating: 0x5a, count: 32)
        let proof = try RegistrationProof.make(staticKey: instance, relayKey: relay.publicKey, nonce: nonce, instanceID: instanceID)
        // Recompute with libsodium directly: X25519(S_priv, relay_key) then HMAC-SHA256(nonce || id).
        var shared = [UInt8](repeating: 0, count: 32)
        let sk = instance.privateKey.exposedCopy()
        #expect(crypto_scalarmult(&shared, sk, relay.publicKey) == 0)
        let message = nonce + Array(instanceID.utf8)
        var state = crypto_auth_hmacsha256_state()
        crypto_auth_hmacsha256_init(&state, shared, shared.count)
        crypto_auth_hmacsha256_update(&state, message, UInt64(message.count))
        var expected = [UInt8](repeating: 0, count: 32)
        crypto_auth_hmacsha256_final(&state, &expected)
        #expect(proof == expected)
    }

    @Test func proofFromAnotherKeyOrForAnotherChallengeIsRejected() throws {
        let instance = X25519KeyPair.generate()
        let impostor = X25519KeyPair.generate()
        let relay = X25519KeyPair.generate()
        let nonce = [UInt8](repeating: 1, count: 32)
        let forged = try RegistrationProof.make(staticKey: impostor, relayKey: relay.publicKey, nonce: nonce, instanceID: instanceID)
        #expect(!RegistrationProof.verify(forged, relayKey: relay, instancePublicKey: instance.publicKey, nonce: nonce, instanceID: instanceID))

        let good = try RegistrationProof.make(staticKey: instance, relayKey: relay.publicKey, nonce: nonce, instanceID: instanceID)
        let otherNonce = [UInt8](repeating: 2, count: 32)
        #expect(!RegistrationProof.verify(good, relayKey: relay, instancePublicKey: instance.publicKey, nonce: otherNonce, instanceID: instanceID))
        let otherID = "00000000-0000-4000-8000-000000000000"
        #expect(!RegistrationProof.verify(good, relayKey: relay, instancePublicKey: instance.publicKey, nonce: nonce, instanceID: otherID))
        #expect(!RegistrationProof.verify(good, relayKey: X25519KeyPair.generate(), instancePublicKey: instance.publicKey, nonce: nonce, instanceID: instanceID))
        #expect(!RegistrationProof.verify(Array(good.dropLast()), relayKey: relay, instancePublicKey: instance.publicKey, nonce: nonce, instanceID: instanceID))
    }

    @Test func malformedInputsAreErrorsNotCrashes() {
        let instance = X25519KeyPair.generate()
        let relay = X25519KeyPair.generate()
        #expect(throws: RegistrationProof.Error.invalidNonce) {
            try RegistrationProof.make(staticKey: instance, relayKey: relay.publicKey, nonce: [1, 2, 3], instanceID: instanceID)
        }
        #expect(throws: RegistrationProof.Error.invalidKey) {
            try RegistrationProof.make(staticKey: instance, relayKey: [UInt8](repeating: 0, count: 32), nonce: [UInt8](repeating: 0, count: 32), instanceID: instanceID)
        }
        #expect(!RegistrationProof.verify([UInt8](repeating: 0, count: 32), relayKey: relay, instancePublicKey: [1, 2], nonce: [UInt8](repeating: 0, count: 32), instanceID: instanceID))
    }
}
