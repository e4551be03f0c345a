/// Noise `HandshakeState` (Noise spec §5.3) for `Noise_*_25519_ChaChaPoly_SHA256`.
///
/// Written by hand because no package in this project's mirror implements Noise. A failed read or
/// write poisons the state: every later call throws `.handshakeFailed`.
public struct HandshakeState: Sendable {
    /// Picks a fresh ephemeral key pair. The default re-rolls nothing; `TunnelHandshake` passes one
    /// that avoids public keys that parse as a transport header (PROTOCOL.md §11.5).
    public typealias EphemeralGenerator = @Sendable () -> X25519KeyPair

    private enum Phase { case running, complete, failed }

    public let pattern: HandshakePattern
    public let isInitiator: Bool
    private var symmetric: SymmetricState
    private let localStatic: X25519KeyPair?
    private var localEphemeral: X25519KeyPair?
    private var remoteStatic: [UInt8]?
    private var remoteEphemeral: [UInt8]?
    private var psks: [SecretBytes]
    private let generateEphemeral: EphemeralGenerator
    private var messageIndex = 0
    private var phase = Phase.running

    /// `Initialize(...)`.
    /// - Parameters:
    ///   - localEphemeral: a fixed ephemeral key, for test vectors only; production passes `nil`.
    ///   - psks: 32-byte pre-shared keys in the order the pattern's `psk` tokens appear.
    public init(
        pattern: HandshakePattern, initiator: Bool, prologue: [UInt8],
        localStatic: X25519KeyPair? = nil, localEphemeral: X25519KeyPair? = nil,
        remoteStatic: [UInt8]? = nil, remoteEphemeral: [UInt8]? = nil, psks: [SecretBytes] = [],
        generateEphemeral: @escaping EphemeralGenerator = { X25519KeyPair.generate() }
    ) throws(NoiseError) {
        self.pattern = pattern
        isInitiator = initiator
        self.localStatic = localStatic
        self.localEphemeral = localEphemeral
        self.remoteStatic = remoteStatic
        self.remoteEphemeral = remoteEphemeral
        self.psks = psks
        self.generateEphemeral = generateEphemeral
        guard psks.count == pattern.pskCount, psks.allSatisfy({ $0.count == 32 }) else { throw .missingKey("psk") }
        if let remoteStatic, remoteStatic.count != 32 { throw .missingKey("rs") }
        symmetric = SymmetricState(protocolName: pattern.protocolName)
        symmetric.mixHash(prologue)
        // Pre-messages: the initiator's first, then the responder's (§7.1).
        for (tokens, ownedByInitiator) in [(pattern.initiatorPreMessage, true), (pattern.responderPreMessage, false)] {
            let mine = ownedByInitiator == initiator
            for token in tokens {
                switch token {
                case .s:
                    guard let key = mine ? localStatic?.publicKey : remoteStatic else { throw .missingKey("pre-message s") }
                    symmetric.mixHash(key)
                case .e:
                    guard let key = mine ? localEphemeral?.publicKey : remoteEphemeral else { throw .missingKey("pre-message e") }
                    symmetric.mixHash(key)
                default:
                    throw .unsupportedProtocol(pattern.name)
                }
            }
        }
    }

    /// Whether every handshake message has been written or read.
    public var isComplete: Bool { phase == .complete }
    /// The handshake hash `h` as it is now (after the last message: the channel-binding value).
    public var handshakeHash: [UInt8] { symmetric.h }
    /// The peer's static public key, once known.
    public var remoteStaticKey: [UInt8]? { remoteStatic }
    /// Index of the next message (0 = the initiator's first).
    public var nextMessageIndex: Int { messageIndex }
    /// Whether the next message is ours to write.
    public var isMyTurn: Bool { phase == .running && (messageIndex % 2 == 0) == isInitiator }

    /// `WriteMessage(payload)`: the next handshake message.
    public mutating func writeMessage(payload: [UInt8]) throws(NoiseError) -> [UInt8] {
        try checkTurn(writing: true)
        do throws(NoiseError) {
            var out: [UInt8] = []
            for token in pattern.messages[messageIndex] {
                switch token {
                case .e:
                    let e = localEphemeral ?? generateEphemeral()
                    localEphemeral = e
                    out += e.publicKey
                    symmetric.mixHash(e.publicKey)
                    if pattern.usesPSK { symmetric.mixKey(publicInput: e.publicKey) }
                case .s:
                    guard let s = localStatic else { throw .missingKey("s") }
                    out += try symmetric.encryptAndHash(s.publicKey)
                case .psk:
                    symmetric.mixKeyAndHash(psks.removeFirst())
                default:
                    try mixDH(token)
                }
            }
            out += try symmetric.encryptAndHash(payload)
            guard out.count <= 65_535 else { throw .malformedMessage }
            advance()
            return out
        } catch {
            phase = .failed
            throw error
        }
    }

    /// `ReadMessage(message)`: checks the next handshake message and returns its payload.
    public mutating func readMessage(_ message: [UInt8]) throws(NoiseError) -> [UInt8] {
        try checkTurn(writing: false)
        do throws(NoiseError) {
            guard message.count <= 65_535 else { throw .malformedMessage }
            var rest = message[...]
            func take(_ n: Int) throws(NoiseError) -> [UInt8] {
                guard rest.count >= n else { throw .malformedMessage }
                defer { rest = rest.dropFirst(n) }
                return Array(rest.prefix(n))
            }
            for token in pattern.messages[messageIndex] {
                switch token {
                case .e:
                    let re = try take(32)
                    remoteEphemeral = re
                    symmetric.mixHash(re)
                    if pattern.usesPSK { symmetric.mixKey(publicInput: re) }
                case .s:
                    let sealed = try take(symmetric.cipher.hasKey ? 48 : 32)
                    remoteStatic = try symmetric.decryptAndHash(sealed)
                case .psk:
                    symmetric.mixKeyAndHash(psks.removeFirst())
                default:
                    try mixDH(token)
                }
            }
            if symmetric.cipher.hasKey, rest.count < ChaChaPoly.tagBytes { throw .malformedMessage }
            let payload = try symmetric.decryptAndHash(Array(rest))
            advance()
            return payload
        } catch {
            phase = .failed
            throw error
        }
    }

    /// `Split()` after the last message: `(c1, c2)`, c1 for initiator → responder.
    public func split() throws(NoiseError) -> (CipherState, CipherState) {
        guard phase == .complete else { throw phase == .failed ? .handshakeFailed : .handshakeIncomplete }
        return symmetric.split()
    }

    private func checkTurn(writing: Bool) throws(NoiseError) {
        switch phase {
        case .failed: throw .handshakeFailed
        case .complete: throw .handshakeComplete
        case .running: if isMyTurn != writing { throw .outOfTurn }
        }
    }

    private mutating func advance() {
        messageIndex += 1
        if messageIndex == pattern.messages.count { phase = .complete }
    }

    /// ee / es / se / ss: DH between the right pair of keys for this side, then MixKey.
    private mutating func mixDH(_ token: HandshakePattern.Token) throws(NoiseError) {
        let (localIsEphemeral, remoteIsEphemeral): (Bool, Bool)
        switch token {
        case .ee: (localIsEphemeral, remoteIsEphemeral) = (true, true)
        case .ss: (localIsEphemeral, remoteIsEphemeral) = (false, false)
        // es = initiator's e with responder's s; se = initiator's s with responder's e.
        case .es: (localIsEphemeral, remoteIsEphemeral) = isInitiator ? (true, false) : (false, true)
        case .se: (localIsEphemeral, remoteIsEphemeral) = isInitiator ? (false, true) : (true, false)
        default: throw .unsupportedProtocol(pattern.name)
        }
        guard let local = localIsEphemeral ? localEphemeral : localStatic else { throw .missingKey("local key for \(token)") }
        guard let remote = remoteIsEphemeral ? remoteEphemeral : remoteStatic else { throw .missingKey("remote key for \(token)") }
        do {
            symmetric.mixKey(try X25519.sharedSecret(privateKey: local.privateKey, publicKey: remote))
        } catch {
            throw .invalidPublicKey
        }
    }
}
