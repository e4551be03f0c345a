/// The Noise IK handshake of one relay session, as PROTOCOL.md §4.1 binds it: client = initiator,
/// prologue `session_id || instance_id || 0x01`, and transport keys handed to `SecureChannel`
/// the seed's way round (§4.2).
public struct TunnelHandshake: Sendable {
    /// Why the session's identifiers cannot form a prologue.
    public enum Error: Swift.Error, Equatable, Sendable {
        /// `session_id` and `instance_id` must each be 36 ASCII bytes (UUID strings).
        case invalidIdentifier(String)
        /// The instance key the client pinned is not 32 bytes (§2.2: refuse the connection).
        case invalidInstanceKey
    }

    public let role: SecureChannel.Role
    private var state: HandshakeState
    /// The pairing check (§12.6 c), fixed once message 1 has been written or read.
    public private(set) var pairingCheck: String?

    /// The prologue: `session_id` (36 ASCII) || `instance_id` (36 ASCII) || `0x01`.
    public static func prologue(sessionID: String, instanceID: String) throws(Error) -> [UInt8] {
        for id in [sessionID, instanceID] where id.utf8.count != 36 || !id.utf8.allSatisfy({ $0 >= 0x21 && $0 < 0x7f }) {
            throw .invalidIdentifier(id)
        }
        return Array(sessionID.utf8) + Array(instanceID.utf8) + [0x01]
    }

    /// The client side: knows the instance's pinned static key.
    /// - Parameter ephemeral: a fixed ephemeral key for test vectors only.
    public static func client(
        sessionID: String, instanceID: String, clientStatic: X25519KeyPair, instanceStaticKey: [UInt8],
        ephemeral: X25519KeyPair? = nil
    ) throws(Error) -> TunnelHandshake {
        guard instanceStaticKey.count == 32 else { throw .invalidInstanceKey }
        let prologue = try prologue(sessionID: sessionID, instanceID: instanceID)
        do {
            return TunnelHandshake(role: .client, state: try HandshakeState(
                pattern: .ik, initiator: true, prologue: prologue, localStatic: clientStatic,
                localEphemeral: ephemeral, remoteStatic: instanceStaticKey, generateEphemeral: generateEphemeral))
        } catch {
            throw .invalidInstanceKey
        }
    }

    /// The instance side: learns the client's static key from message 1.
    public static func instance(
        sessionID: String, instanceID: String, instanceStatic: X25519KeyPair, ephemeral: X25519KeyPair? = nil
    ) throws(Error) -> TunnelHandshake {
        let prologue = try prologue(sessionID: sessionID, instanceID: instanceID)
        // IK's responder needs nothing but its static key, so this cannot fail.
        let state = try! HandshakeState(
            pattern: .ik, initiator: false, prologue: prologue, localStatic: instanceStatic,
            localEphemeral: ephemeral, generateEphemeral: generateEphemeral)
        return TunnelHandshake(role: .instance, state: state)
    }

    private init(role: SecureChannel.Role, state: HandshakeState) {
        self.role = role
        self.state = state
    }

    /// Whether both messages are done.
    public var isComplete: Bool { state.isComplete }
    /// Whether the next message is this side's to write.
    public var isMyTurn: Bool { state.isMyTurn }
    /// The handshake hash `h` so far.
    public var handshakeHash: [UInt8] { state.handshakeHash }
    /// The peer's static key: for the instance, the client's (from message 1).
    public var remoteStaticKey: [UInt8]? { state.remoteStaticKey }

    /// Writes the next message (client: message 1; instance: message 2) around `payload`.
    public mutating func writeMessage(payload: [UInt8]) throws(NoiseError) -> [UInt8] {
        let message = try state.writeMessage(payload: payload)
        notePairingCheck()
        return message
    }

    /// Reads the peer's message and returns its payload. Any error is a handshake failure: close
    /// the session (§4.5).
    public mutating func readMessage(_ message: [UInt8]) throws(NoiseError) -> [UInt8] {
        let payload = try state.readMessage(message)
        notePairingCheck()
        return payload
    }

    /// The transport channel, once the handshake is complete.
    public func makeChannel(configuration: SecureChannel.Configuration = .init()) throws(NoiseError) -> SecureChannel {
        let (c1, c2) = try state.split()
        return SecureChannel(role: role, c1: try c1.keyMaterial(), c2: try c2.keyMaterial(), configuration: configuration)
    }

    /// 6 digits = (first 4 bytes of `h` after message 1, big-endian) mod 10^6, zero-padded (§12.6 c).
    public static func pairingCheck(handshakeHash h: [UInt8]) -> String {
        let value = h.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) } % 1_000_000
        let digits = String(value)
        return String(repeating: "0", count: 6 - digits.count) + digits
    }

    private mutating func notePairingCheck() {
        if state.nextMessageIndex == 1 { pairingCheck = Self.pairingCheck(handshakeHash: state.handshakeHash) }
    }

    /// Ephemeral keys whose public half would parse as a transport header (`01 01|02 00|01`) are
    /// re-rolled (§11.5), so even a peer that sniffs first bytes cannot mistake message 1 or 2.
    @Sendable static func generateEphemeral() -> X25519KeyPair {
        while true {
            let candidate = X25519KeyPair.generate()
            if !FrameHeader.looksLikeTransport(candidate.publicKey) { return candidate }
        }
    }
}
