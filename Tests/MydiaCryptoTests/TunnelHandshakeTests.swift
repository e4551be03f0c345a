import Testing
@testable import MydiaCrypto

/// PROTOCOL.md §4.1 as bound to a relay session, and the socket-level type-state of `E2EESession`.
@Suite struct TunnelHandshakeTests {
    @Test func handshakeToFramesVectorWithTheSpecPrologue() throws {
        let v = try Fixtures.json("mydia-transport-v1.json").object("handshake_to_frames")
        let sessionID = try v.string("session_id"), instanceID = try v.string("instance_id")
        #expect(try TunnelHandshake.prologue(sessionID: sessionID, instanceID: instanceID) == (try v.hex("prologue")))
        let instanceStatic = try X25519KeyPair(privateKeyBytes: try v.hex("instance_static_private"))
        let clientStatic = try X25519KeyPair(privateKeyBytes: try v.hex("client_static_private"))
        #expect(instanceStatic.publicKey == (try v.hex("instance_static_public")))
        #expect(clientStatic.publicKey == (try v.hex("client_static_public")))

        var client = E2EESession(handshake: try .client(
            sessionID: sessionID, instanceID: instanceID, clientStatic: clientStatic,
            instanceStaticKey: instanceStatic.publicKey,
            ephemeral: try X25519KeyPair(privateKeyBytes: try v.hex("client_ephemeral_private"))))
        var instance = E2EESession(handshake: try .instance(
            sessionID: sessionID, instanceID: instanceID, instanceStatic: instanceStatic,
            ephemeral: try X25519KeyPair(privateKeyBytes: try v.hex("instance_ephemeral_private"))))

        let p1 = Array(try v.string("msg1_payload").utf8), p2 = Array(try v.string("msg2_payload").utf8)
        let m1 = try client.writeHandshake(payload: p1)
        #expect(m1 == (try v.hex("msg1")))
        #expect(try instance.receive(m1) == .handshakePayload(p1))
        #expect(instance.remoteStaticKey == clientStatic.publicKey)
        #expect(instance.pairingCheck != nil && instance.pairingCheck == client.pairingCheck)
        let m2 = try instance.writeHandshake(payload: p2)
        #expect(m2 == (try v.hex("msg2")))
        #expect(try client.receive(m2) == .handshakePayload(p2))
        #expect(client.isEstablished && instance.isEstablished)

        // The first transport frames pin the key assignment: client tx = c2, instance tx = c1.
        let cf = try v.object("first_client_frame"), inf = try v.object("first_instance_frame")
        let ping = try client.seal(channel: .api, plaintext: Array(try cf.string("plaintext").utf8))
        #expect(ping == (try cf.hex("frame")))
        let pong = try instance.seal(channel: .api, plaintext: Array(try inf.string("plaintext").utf8))
        #expect(pong == (try inf.hex("frame")))
        guard case .frame(let got) = try instance.receive(ping) else { Issue.record("ping dropped"); return }
        #expect(String(decoding: got.plaintext, as: UTF8.self) == (try cf.string("plaintext")))
        guard case .frame = try client.receive(pong) else { Issue.record("pong dropped"); return }
    }

    @Test func handshakeHashAndSplitMatchTheVector() throws {
        let v = try Fixtures.json("mydia-transport-v1.json").object("handshake_to_frames")
        var hs = try TunnelHandshake.client(
            sessionID: try v.string("session_id"), instanceID: try v.string("instance_id"),
            clientStatic: try X25519KeyPair(privateKeyBytes: try v.hex("client_static_private")),
            instanceStaticKey: try v.hex("instance_static_public"),
            ephemeral: try X25519KeyPair(privateKeyBytes: try v.hex("client_ephemeral_private")))
        _ = try hs.writeMessage(payload: Array(try v.string("msg1_payload").utf8))
        #expect(hs.pairingCheck == TunnelHandshake.pairingCheck(handshakeHash: hs.handshakeHash))
        _ = try hs.readMessage(try v.hex("msg2"))
        #expect(hs.handshakeHash == (try v.hex("handshake_hash")))
        var channel = try hs.makeChannel()
        // The client's channel seals with c2: its frame opens with a raw c2 channel as receiver.
        var rx = SecureChannel(role: .instance, c1: SecretBytes(copying: try v.hex("c1")), c2: SecretBytes(copying: try v.hex("c2")))
        guard case .accepted = rx.open(try channel.seal(channel: .api, plaintext: [1])) else { Issue.record("wrong keys"); return }
    }

    @Test func pairingCheckIsSixDigitsFromTheFirstFourBytes() {
        #expect(TunnelHandshake.pairingCheck(handshakeHash: [0, 0, 0, 7] + [UInt8](repeating: 0xff, count: 28)) == "000007")
        // 0xffffffff = 4294967295 → 967295.
        #expect(TunnelHandshake.pairingCheck(handshakeHash: [UInt8](repeating: 0xff, count: 32)) == "967295")
    }

    @Test func wrongPinnedInstanceKeyFailsTheHandshake() throws {
        let (sid, iid) = ids()
        let real = X25519KeyPair.generate(), impostor = X25519KeyPair.generate()
        var client = E2EESession(handshake: try .client(
            sessionID: sid, instanceID: iid, clientStatic: .generate(), instanceStaticKey: real.publicKey))
        var instance = E2EESession(handshake: try .instance(sessionID: sid, instanceID: iid, instanceStatic: impostor))
        let m1 = try client.writeHandshake(payload: [])
        #expect(throws: E2EESession.Error.handshakeFailed(.authenticationFailed)) { try instance.receive(m1) }
        #expect(throws: E2EESession.Error.closed) { try instance.receive(m1) }
    }

    @Test func differentSessionIDsCannotHandshake() throws {
        let (sid, iid) = ids()
        let server = X25519KeyPair.generate()
        var client = E2EESession(handshake: try .client(
            sessionID: sid, instanceID: iid, clientStatic: .generate(), instanceStaticKey: server.publicKey))
        var instance = E2EESession(handshake: try .instance(sessionID: ids().0, instanceID: iid, instanceStatic: server))
        #expect(throws: E2EESession.Error.self) { try instance.receive(try client.writeHandshake(payload: [])) }
    }

    @Test func transportIsRefusedBeforeAndHandshakeAfterCompletion() throws {
        var (client, instance) = try established(beforeMessage2: true)
        // Instance has read message 1 but not answered: no transport keys yet.
        #expect(throws: E2EESession.Error.handshakeIncomplete) { try instance.seal(channel: .api, plaintext: [1]) }
        #expect(throws: E2EESession.Error.handshakeIncomplete) { try client.seal(channel: .api, plaintext: [1]) }
        let bogusFrame = FrameHeader(channel: .api, keyPhase: 0, counter: 0).bytes + [UInt8](repeating: 1, count: 16)
        #expect(try instance.receive(bogusFrame) == .dropped(.handshakeIncomplete))
        let m2 = try instance.writeHandshake(payload: Array("{\"ok\":true}".utf8))
        _ = try client.receive(m2)
        // After completion, handshake messages are refused both ways.
        #expect(throws: E2EESession.Error.handshakeAlreadyComplete) { try client.writeHandshake(payload: []) }
        #expect(try client.receive(m2) == .dropped(.frame(.malformedHeader)) || (try client.receive(m2)) == .dropped(.frame(.authenticationFailed)))
        // And the session still works.
        guard case .frame(let f) = try instance.receive(try client.seal(channel: .media, plaintext: [4, 2])) else {
            Issue.record("frame after a refused handshake message was not accepted"); return
        }
        #expect(f.plaintext == [4, 2] && f.channel == .media)
    }

    @Test func clientCannotReceiveBeforeSendingMessage1() throws {
        let (sid, iid) = ids()
        var client = E2EESession(handshake: try .client(
            sessionID: sid, instanceID: iid, clientStatic: .generate(), instanceStaticKey: X25519KeyPair.generate().publicKey))
        #expect(try client.receive([UInt8](repeating: 7, count: 64)) == .dropped(.handshakeIncomplete))
        #expect(throws: E2EESession.Error.outOfTurn) {
            var instance = E2EESession(handshake: try .instance(sessionID: sid, instanceID: iid, instanceStatic: .generate()))
            _ = try instance.writeHandshake(payload: [])
        }
    }

    @Test func closeEndsTheSession() throws {
        var (client, _) = try established()
        client.close()
        #expect(throws: E2EESession.Error.closed) { try client.seal(channel: .api, plaintext: []) }
        #expect(throws: E2EESession.Error.closed) { try client.receive([1]) }
    }

    @Test func identifiersAndKeysAreValidated() {
        #expect(throws: TunnelHandshake.Error.self) { try TunnelHandshake.prologue(sessionID: "short", instanceID: ids().1) }
        #expect(throws: TunnelHandshake.Error.invalidInstanceKey) {
            try TunnelHandshake.client(sessionID: ids().0, instanceID: ids().1, clientStatic: .generate(), instanceStaticKey: [1, 2])
        }
    }

    @Test func ephemeralKeysNeverLookLikeATransportHeader() {
        for _ in 0..<2000 {
            #expect(!FrameHeader.looksLikeTransport(TunnelHandshake.generateEphemeral().publicKey))
        }
        #expect(FrameHeader.looksLikeTransport([1, 2, 1, 0xaa]) && !FrameHeader.looksLikeTransport([1, 3, 0]))
    }

    // MARK: - Helpers

    private func ids() -> (String, String) {
        func uuid() -> String {
            let h = Encoding.hex(SecretBytes.random(count: 16).exposedCopy())
            let c = Array(h)
            return "\(String(c[0..<8]))-\(String(c[8..<12]))-\(String(c[12..<16]))-\(String(c[16..<20]))-\(String(c[20..<32]))"
        }
        return (uuid(), uuid())
    }

    private func established(beforeMessage2: Bool = false) throws -> (E2EESession, E2EESession) {
        let (sid, iid) = ids()
        let server = X25519KeyPair.generate()
        var client = E2EESession(handshake: try .client(
            sessionID: sid, instanceID: iid, clientStatic: .generate(), instanceStaticKey: server.publicKey))
        var instance = E2EESession(handshake: try .instance(sessionID: sid, instanceID: iid, instanceStatic: server))
        _ = try instance.receive(try client.writeHandshake(payload: []))
        if !beforeMessage2 { _ = try client.receive(try instance.writeHandshake(payload: [])) }
        return (client, instance)
    }
}
