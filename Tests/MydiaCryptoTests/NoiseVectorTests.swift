import Testing
@testable import MydiaCrypto

/// Replays the published Noise vectors for `*_25519_ChaChaPoly_SHA256`: every handshake message,
/// every post-handshake transport message (Noise's little-endian nonces, no AD) and the
/// handshake hash. A wrong DH order, nonce byte order, HKDF step or psk placement fails here.
@Suite struct NoiseVectorTests {
    static func vectors(_ file: String) throws -> [[String: Any]] {
        try Fixtures.json(file).objects("vectors")
    }

    @Test func ikVectorsFromCacophonyAndSnow() throws {
        let vectors = try Self.vectors("noise-ik-25519-chachapoly-sha256.json")
        #expect(vectors.count == 2)
        for v in vectors { try replay(v) }
    }

    @Test func ikVectorFromNoiseC() throws {
        let vectors = try Self.vectors("noise-ik-25519-chachapoly-sha256.noise-c.json")
        #expect(vectors.count == 1)
        for v in vectors { try replay(v) }
    }

    @Test func nnXxAndPskExtras() throws {
        let vectors = try Self.vectors("noise-extras-25519-chachapoly-sha256.json")
        #expect(vectors.count == 15)
        for v in vectors { try replay(v) }
    }

    @Test func everyIkMessageFailsWithOneFlippedBit() throws {
        // Guards against a reader that ignores part of a message.
        let v = try Self.vectors("noise-ik-25519-chachapoly-sha256.json")[0]
        let messages = try v.objects("messages")
        let message0 = try messages[0].hex("ciphertext")
        for index in stride(from: 0, to: message0.count, by: 7) {
            var (_, responder) = try parties(v)
            var tampered = message0
            tampered[index] ^= 0x01
            #expect(throws: NoiseError.self) { _ = try responder.readMessage(tampered) }
            // A failed handshake stays failed.
            #expect(throws: NoiseError.handshakeFailed) { _ = try responder.readMessage(message0) }
        }
    }

    @Test func handshakeRejectsUseAfterCompletionAndOutOfTurn() throws {
        let v = try Self.vectors("noise-ik-25519-chachapoly-sha256.json")[0]
        var (initiator, responder) = try parties(v)
        #expect(throws: NoiseError.outOfTurn) { _ = try responder.writeMessage(payload: []) }
        #expect(throws: NoiseError.handshakeIncomplete) { _ = try initiator.split() }
        let m1 = try initiator.writeMessage(payload: [])
        _ = try responder.readMessage(m1)
        let m2 = try responder.writeMessage(payload: [])
        _ = try initiator.readMessage(m2)
        #expect(initiator.isComplete && responder.isComplete)
        #expect(throws: NoiseError.handshakeComplete) { _ = try initiator.writeMessage(payload: []) }
        #expect(throws: NoiseError.handshakeComplete) { _ = try responder.readMessage(m1) }
    }

    @Test func truncatedAndOversizeHandshakeMessagesAreRejected() throws {
        let v = try Self.vectors("noise-ik-25519-chachapoly-sha256.json")[0]
        let m0 = try v.objects("messages")[0].hex("ciphertext")
        for length in [0, 1, 31, 32, 79, 80, 95] {
            var (_, responder) = try parties(v)
            #expect(throws: NoiseError.malformedMessage) { _ = try responder.readMessage(Array(m0.prefix(length))) }
        }
        var (_, responder) = try parties(v)
        #expect(throws: NoiseError.malformedMessage) { _ = try responder.readMessage(m0 + [UInt8](repeating: 0, count: 65_536)) }
    }

    @Test func lowOrderEphemeralAbortsTheHandshake() throws {
        let v = try Self.vectors("noise-ik-25519-chachapoly-sha256.json")[0]
        var (_, responder) = try parties(v)
        // The identity point (all zeros) gives an all-zero DH output (PROTOCOL.md §12.8).
        let bogus = [UInt8](repeating: 0, count: 32) + [UInt8](repeating: 0xaa, count: 64)
        #expect(throws: NoiseError.invalidPublicKey) { _ = try responder.readMessage(bogus) }
    }

    @Test func patternNamesParseWithPskModifiers() throws {
        #expect(try HandshakePattern(protocolName: "Noise_IK_25519_ChaChaPoly_SHA256") == .ik)
        let p = try HandshakePattern(name: "XXpsk0+psk3")
        #expect(p.messages[0].first == .psk && p.messages[2].last == .psk && p.pskCount == 2)
        #expect(throws: NoiseError.self) { try HandshakePattern(protocolName: "Noise_IK_448_ChaChaPoly_SHA256") }
        #expect(throws: NoiseError.self) { try HandshakePattern(name: "KK") }
        #expect(throws: NoiseError.self) { try HandshakePattern(name: "NNpsk9") }
    }

    // MARK: - Replay

    private func parties(_ v: [String: Any]) throws -> (HandshakeState, HandshakeState) {
        let name = try (v["protocol_name"] as? String) ?? v.string("name")
        let pattern = try HandshakePattern(protocolName: name)
        func pair(_ key: String) throws -> X25519KeyPair? {
            guard v[key] != nil else { return nil }
            return try X25519KeyPair(privateKeyBytes: try v.hex(key))
        }
        func psks(_ key: String) throws -> [SecretBytes] {
            ((v[key] as? [String]) ?? []).map { SecretBytes(copying: hex($0)) }
        }
        let initiator = try HandshakeState(
            pattern: pattern, initiator: true, prologue: try v.hex("init_prologue"),
            localStatic: try pair("init_static"), localEphemeral: try pair("init_ephemeral"),
            remoteStatic: v["init_remote_static"] != nil ? try v.hex("init_remote_static") : nil,
            psks: try psks("init_psks"))
        let responder = try HandshakeState(
            pattern: pattern, initiator: false, prologue: try v.hex("resp_prologue"),
            localStatic: try pair("resp_static"), localEphemeral: try pair("resp_ephemeral"),
            remoteStatic: v["resp_remote_static"] != nil ? try v.hex("resp_remote_static") : nil,
            psks: try psks("resp_psks"))
        return (initiator, responder)
    }

    private func replay(_ v: [String: Any]) throws {
        let name = try (v["protocol_name"] as? String) ?? v.string("name")
        var (initiator, responder) = try parties(v)
        let handshakeLength = initiator.pattern.messages.count
        let messages = try v.objects("messages")
        #expect(messages.count > handshakeLength, "\(name): vector has transport messages")
        var transport: (i1: CipherState, i2: CipherState, r1: CipherState, r2: CipherState)?
        for (i, m) in messages.enumerated() {
            let payload = try m.hex("payload"), expected = try m.hex("ciphertext")
            let fromInitiator = i % 2 == 0
            if i < handshakeLength {
                let wire = fromInitiator ? try initiator.writeMessage(payload: payload) : try responder.writeMessage(payload: payload)
                #expect(wire == expected, "\(name): handshake message \(i)")
                let read = fromInitiator ? try responder.readMessage(wire) : try initiator.readMessage(wire)
                #expect(read == payload, "\(name): payload \(i)")
                if i == handshakeLength - 1 {
                    #expect(initiator.isComplete && responder.isComplete)
                    if v["handshake_hash"] != nil {
                        #expect(initiator.handshakeHash == (try v.hex("handshake_hash")), "\(name): handshake hash")
                        #expect(responder.handshakeHash == initiator.handshakeHash)
                    }
                    let (i1, i2) = try initiator.split(), (r1, r2) = try responder.split()
                    transport = (i1, i2, r1, r2)
                }
            } else {
                guard var t = transport else { Issue.record("no transport keys"); return }
                // c1 carries initiator → responder, c2 the other way, nonces counting from 0.
                let wire = fromInitiator ? try t.i1.encrypt(ad: [], plaintext: payload) : try t.r2.encrypt(ad: [], plaintext: payload)
                #expect(wire == expected, "\(name): transport message \(i)")
                let read = fromInitiator ? try t.r1.decrypt(ad: [], ciphertext: wire) : try t.i2.decrypt(ad: [], ciphertext: wire)
                #expect(read == payload)
                transport = t
            }
        }
    }
}
