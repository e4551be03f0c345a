import Testing
@testable import MydiaCrypto

/// Seeded random mutations of genuine frames and handshake messages (the in-suite cousin of
/// `make fuzz`): nothing that is not genuine is ever accepted, and nothing crashes.
@Suite struct HostileInputTests {
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    }

    static func mutate(_ input: [UInt8], _ rng: inout Rng) -> [UInt8] {
        var out = input
        for _ in 0...rng.below(3) {
            switch rng.below(5) {
            case 0 where !out.isEmpty: out[rng.below(out.count)] ^= UInt8(1 << rng.below(8))
            case 1 where !out.isEmpty: out[rng.below(out.count)] = UInt8(truncatingIfNeeded: rng.next())
            case 2: out = Array(out.prefix(rng.below(out.count + 1)))
            case 3: out += (0..<rng.below(40)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            default: if out.count > 1 { out.swapAt(rng.below(out.count), rng.below(out.count)) }
            }
        }
        return out
    }

    @Test func mutatedFramesAreNeverAccepted() throws {
        let c1 = SecretBytes.random(count: 32), c2 = SecretBytes.random(count: 32)
        var sender = SecureChannel(role: .client, c1: c1, c2: c2)
        var receiver = SecureChannel(role: .instance, c1: c1, c2: c2)
        var rng = Rng(state: 42)
        for i in 0..<3000 {
            let genuine = try sender.seal(channel: i % 2 == 0 ? .api : .media, plaintext: (0..<rng.below(200)).map { UInt8($0 & 0xff) })
            for _ in 0..<5 {
                let bad = Self.mutate(genuine, &rng)
                guard bad != genuine else { continue }
                if case .accepted = receiver.open(bad) { Issue.record("mutated frame accepted: \(Encoding.hex(bad))") }
            }
            guard case .accepted = receiver.open(genuine) else { Issue.record("genuine frame \(i) dropped"); return }
        }
    }

    @Test func mutatedHandshakeMessagesNeverComplete() throws {
        let server = X25519KeyPair.generate(), device = X25519KeyPair.generate()
        let sid = "0f6c1e8a-9d4b-4e2f-8a7c-3b5d9e1f2a40", iid = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
        var rng = Rng(state: 7)
        for _ in 0..<150 {
            var client = E2EESession(handshake: try .client(sessionID: sid, instanceID: iid, clientStatic: device, instanceStaticKey: server.publicKey))
            let m1 = try client.writeHandshake(payload: Array(#"{"type":"reconnect"}"#.utf8))
            let bad1 = Self.mutate(m1, &rng)
            var instance = E2EESession(handshake: try .instance(sessionID: sid, instanceID: iid, instanceStatic: server))
            if bad1 != m1 {
                #expect(throws: E2EESession.Error.self) { _ = try instance.receive(bad1) }
                instance = E2EESession(handshake: try .instance(sessionID: sid, instanceID: iid, instanceStatic: server))
            }
            _ = try instance.receive(m1)
            let m2 = try instance.writeHandshake(payload: Array(#"{"ok":true}"#.utf8))
            let bad2 = Self.mutate(m2, &rng)
            if bad2 != m2 {
                #expect(throws: E2EESession.Error.self) { _ = try client.receive(bad2) }
                #expect(!client.isEstablished)
            }
        }
    }
}
