#if canImport(Glibc)
import Glibc  // libm for rounding
#endif
internal import CSodium
import MydiaCrypto

/// `make bench`: throughput of `SecureChannel` seal+open next to raw libsodium ChaCha20-Poly1305 in
/// the same run (the ratio is what counts on a noisy machine), and IK handshakes per second.
/// Every figure is one line: `BENCH <name> <value> <unit> [target<op><value>]`.
@main
struct MydiaBench {
    static func main() throws {
        _ = sodium_init()
        let quick = CommandLine.arguments.contains("--quick")
        let rounds = quick ? 3 : 9
        for size in [16 * 1024, 64 * 1024] {
            let bytesPerRound = quick ? 32 << 20 : 128 << 20
            let iterations = bytesPerRound / size
            var raw: [Double] = [], channel: [Double] = []
            // Interleave the two so drift in machine load hits both alike; keep the medians.
            for _ in 0..<rounds {
                raw.append(try measure { rawSealOpen(size: size, iterations: iterations) })
                channel.append(try measure { try channelSealOpen(size: size, iterations: iterations) })
            }
            let rawMBs = Double(bytesPerRound) / median(raw) / 1e6
            let chanMBs = Double(bytesPerRound) / median(channel) / 1e6
            let k = size / 1024
            print("BENCH libsodium_chachapoly_seal_open_\(k)k \(fmt(rawMBs)) MB/s")
            print("BENCH securechannel_seal_open_\(k)k \(fmt(chanMBs)) MB/s")
            print("BENCH securechannel_vs_libsodium_\(k)k \(fmt(chanMBs / rawMBs, 3)) x target>=0.85")
        }
        let handshakes = quick ? 300 : 2000
        var rates: [Double] = []
        for _ in 0..<3 {
            let seconds = try measure { try handshakePairs(handshakes) }
            rates.append(Double(handshakes) / seconds)
        }
        print("BENCH ik_handshakes_per_s \(fmt(median(rates), 0)) /s")
    }

    /// The baseline: libsodium's AEAD on preallocated buffers, nonce and AD built in place.
    static func rawSealOpen(size: Int, iterations: Int) {
        var key = [UInt8](repeating: 0, count: 32)
        randombytes_buf(&key, 32)
        let plaintext = [UInt8](repeating: 0x5a, count: size)
        var sealed = [UInt8](repeating: 0, count: size + 16)
        var opened = [UInt8](repeating: 0, count: size)
        var ad = [UInt8](repeating: 0, count: 11)
        var nonce = [UInt8](repeating: 0, count: 12)
        var n: UInt64 = 0
        for i in 0..<iterations {
            let counter = UInt64(i)
            for b in 0..<8 { nonce[4 + b] = UInt8(truncatingIfNeeded: counter >> UInt64(56 - 8 * b)); ad[3 + b] = nonce[4 + b] }
            crypto_aead_chacha20poly1305_ietf_encrypt(&sealed, &n, plaintext, UInt64(size), ad, 11, nil, nonce, key)
            let rc = crypto_aead_chacha20poly1305_ietf_decrypt(&opened, &n, nil, sealed, UInt64(size + 16), ad, 11, nonce, key)
            precondition(rc == 0)
        }
    }

    /// The same work through the public API: client seals, instance opens (replay check included).
    static func channelSealOpen(size: Int, iterations: Int) throws {
        let c1 = SecretBytes.random(count: 32), c2 = SecretBytes.random(count: 32)
        var client = SecureChannel(role: .client, c1: c1, c2: c2)
        var instance = SecureChannel(role: .instance, c1: c1, c2: c2)
        let plaintext = [UInt8](repeating: 0x5a, count: size)
        for _ in 0..<iterations {
            let frame = try client.seal(channel: .media, plaintext: plaintext)
            guard case .accepted = instance.open(frame) else { fatalError("frame dropped in benchmark") }
        }
    }

    /// Complete IK handshakes, both sides, through to transport channels.
    static func handshakePairs(_ count: Int) throws {
        let server = X25519KeyPair.generate(), device = X25519KeyPair.generate()
        let sid = "0f6c1e8a-9d4b-4e2f-8a7c-3b5d9e1f2a40", iid = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
        let payload = Array(#"{"type":"reconnect","device_id":"5d3c2b1a-0f9e-4d8c-b7a6-958473625140","device_token":"x"}"#.utf8)
        for _ in 0..<count {
            var client = E2EESession(handshake: try .client(sessionID: sid, instanceID: iid, clientStatic: device, instanceStaticKey: server.publicKey))
            var instance = E2EESession(handshake: try .instance(sessionID: sid, instanceID: iid, instanceStatic: server))
            _ = try instance.receive(try client.writeHandshake(payload: payload))
            _ = try client.receive(try instance.writeHandshake(payload: payload))
            precondition(client.isEstablished && instance.isEstablished)
        }
    }

    static func measure(_ body: () throws -> Void) throws -> Double {
        let start = ContinuousClock.now
        try body()
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

    static func fmt(_ x: Double, _ digits: Int = 1) -> String {
        var p = 1.0
        for _ in 0..<digits { p *= 10 }
        let r = (x * p).rounded() / p
        return digits == 0 ? String(Int(r)) : String(r)
    }
}
