import MydiaCrypto

/// The fuzz targets. Each takes arbitrary bytes and must neither crash nor accept what it should
/// not: a target traps (`precondition`) when an invariant breaks, so the fuzzer reports it.
enum FuzzTargets {
    static let names = ["frame", "handshake", "relay", "tunnel", "media", "graphql", "proxyroute", "dns", "playlist"]

    static func run(_ name: String, _ data: [UInt8]) {
        switch name {
        case "frame": frame(data)
        case "handshake": handshake(data)
        case "relay": relayMessage(data)
        case "tunnel": tunnelMessage(data)
        case "media": mediaFrame(data)
        case "graphql": graphQLResponse(data)
        case "proxyroute": proxyRoute(data)
        case "dns": dnsMessage(data)
        case "playlist": playlist(data)
        default: fatalError("unknown fuzz target \(name); known: \(names.joined(separator: ", "))")
        }
    }

    static let c1 = SecretBytes(copying: (0..<32).map { UInt8($0) })
    static let c2 = SecretBytes(copying: (0..<32).map { UInt8(0x80 | $0) })

    /// The transport frame decoder: the input is split into frames (first byte = length) and fed
    /// to one receiver. Bad frames must be dropped without moving the receiver's state.
    static func frame(_ data: [UInt8]) {
        var receiver = SecureChannel(role: .instance, c1: c1, c2: c2)
        var rest = data[...]
        while !rest.isEmpty {
            let n = Int(rest.removeFirst()) * 4
            let frame = Array(rest.prefix(n))
            rest = rest.dropFirst(n)
            let before = receiver.sendPosition
            switch receiver.open(frame) {
            case .accepted(let f):
                // Only a frame sealed with c2 can authenticate; the fuzzer cannot forge one.
                preconditionFailure("forged frame accepted: counter \(f.counter)")
            case .dropped:
                precondition(receiver.sendPosition == before)
            }
            _ = FrameHeader(parsing: frame)
        }
        // A real frame still goes through after all that.
        var sender = SecureChannel(role: .client, c1: c1, c2: c2)
        guard case .accepted = receiver.open(try! sender.seal(channel: .api, plaintext: data.prefix(64).map { $0 })) else {
            preconditionFailure("genuine frame dropped after fuzz input")
        }
    }

    static let instanceStatic = try! X25519KeyPair(privateKeyBytes: (0..<32).map { UInt8(0x40 ^ $0) })
    static let sid = "0f6c1e8a-9d4b-4e2f-8a7c-3b5d9e1f2a40", iid = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"

    /// A client that has sent message 1, made once: `E2EESession` is a value (its keys are immutable
    /// `SecretBytes`), so each input gets a copy of the same state instead of a fresh key pair and two
    /// Diffie-Hellman operations it does not exercise.
    static let clientAwaitingMessage2: E2EESession = {
        var client = E2EESession(handshake: try! .client(
            sessionID: sid, instanceID: iid, clientStatic: instanceStatic, instanceStaticKey: instanceStatic.publicKey))
        _ = try! client.writeHandshake(payload: [])
        return client
    }()

    /// The handshake reader: arbitrary bytes as message 1 at the instance, and as message 2 at a
    /// client that sent a real message 1. Anything but a genuine message must be refused.
    static func handshake(_ data: [UInt8]) {
        var instance = E2EESession(handshake: try! .instance(sessionID: sid, instanceID: iid, instanceStatic: instanceStatic))
        do {
            _ = try instance.receive(data)
            preconditionFailure("forged message 1 accepted")
        } catch {
            precondition(!instance.isEstablished)
        }
        var client = clientAwaitingMessage2
        if let event = try? client.receive(data) { preconditionFailure("forged message 2 accepted: \(event)") }
        precondition(!client.isEstablished)
    }
}
