import Foundation
import MydiaCrypto

/// One relay control message: a JSON text frame with a `type` field (PROTOCOL.md §2, §12.1–§12.3).
///
/// Decoding dispatches on `type`; unknown types become ``unknown(type:)`` and unknown fields are
/// ignored (§12.1). Byte fields (`nonce`, `relay_key`, `public_key`, `proof`) are decoded from
/// standard base64; a known message with a missing or malformed field is an error.
public enum RelayMessage: Sendable, Equatable {
    /// relay → instance on connect: a fresh nonce and a fresh relay X25519 public key (§12.2).
    case challenge(nonce: [UInt8], relayKey: [UInt8])
    /// instance → relay (§2.1, §12.2).
    case register(Register)
    /// relay → instance: registration accepted.
    case registered(relayProtocol: Int)
    /// relay → either side.
    case error(code: RelayErrorCode, message: String)
    /// relay → instance: a client opened a session.
    case connection(sessionID: String)
    /// client → relay (§2.2).
    case connect(instanceID: String)
    /// relay → client (§2.2).
    case connected(Connected)
    /// Ends one session. `sessionID` is present on the instance socket and absent on the client one.
    case close(sessionID: String?, reason: RelayCloseReason)
    /// Heartbeat request.
    case ping
    /// Heartbeat answer.
    case pong
    /// A `type` this build does not know (ignored by receivers, §12.1).
    case unknown(type: String)

    /// The `register` message's fields.
    public struct Register: Sendable, Equatable {
        /// The instance's UUID.
        public var instanceID: String
        /// The instance's static X25519 public key (32 bytes).
        public var publicKey: [UInt8]
        /// Relay protocol versions the instance speaks.
        public var relayProtocol: [Int]
        /// `HMAC-SHA256(X25519(S_priv, relay_key), nonce || instance_id)` (§12.2).
        public var proof: [UInt8]

        /// Builds a register message.
        public init(instanceID: String, publicKey: [UInt8], relayProtocol: [Int] = [RelayProtocol.version], proof: [UInt8]) {
            self.instanceID = instanceID
            self.publicKey = publicKey
            self.relayProtocol = relayProtocol
            self.proof = proof
        }
    }

    /// The `connected` message's fields.
    public struct Connected: Sendable, Equatable {
        /// The fresh session UUID the relay chose.
        public var sessionID: String
        /// The instance the session reaches.
        public var instanceID: String
        /// The instance's registered public key (the client compares it with its pin, §2.2).
        public var publicKey: [UInt8]
        /// Always 1: there is no plaintext mode.
        public var webrtcE2EE: Int
        /// The relay protocol in use.
        public var relayProtocol: Int

        /// Builds a connected message.
        public init(sessionID: String, instanceID: String, publicKey: [UInt8], webrtcE2EE: Int = 1, relayProtocol: Int = RelayProtocol.version) {
            self.sessionID = sessionID
            self.instanceID = instanceID
            self.publicKey = publicKey
            self.webrtcE2EE = webrtcE2EE
            self.relayProtocol = relayProtocol
        }
    }

    /// Why a text frame is not a usable relay message.
    public enum DecodingError: Swift.Error, Equatable, Sendable, CustomStringConvertible {
        /// Not a JSON object with a string `type`.
        case notAMessage
        /// A known `type` with a missing or malformed field.
        case malformed(type: String, field: String)

        public var description: String {
            switch self {
            case .notAMessage: "The relay message is not a JSON object with a \"type\"."
            case .malformed(let type, let field): "The relay \"\(type)\" message has a missing or malformed \"\(field)\"."
            }
        }
    }

    /// Decodes one text frame's bytes.
    public static func decode(_ data: some Collection<UInt8>) throws(DecodingError) -> RelayMessage {
        let envelope: RelayMessageCoding.Envelope
        do {
            envelope = try JSONDecoder().decode(RelayMessageCoding.Envelope.self, from: Data(data))
        } catch {
            throw .notAMessage
        }
        return try RelayMessageCoding.decode(envelope)
    }

    /// Decodes one text frame.
    public static func decode(_ text: String) throws(DecodingError) -> RelayMessage {
        try decode(Array(text.utf8))
    }

    /// The message as a compact JSON text frame.
    public var jsonText: String { RelayMessageCoding.encode(self) }

    /// The message's `type` string.
    public var type: String {
        switch self {
        case .challenge: "challenge"
        case .register: "register"
        case .registered: "registered"
        case .error: "error"
        case .connection: "connection"
        case .connect: "connect"
        case .connected: "connected"
        case .close: "close"
        case .ping: "ping"
        case .pong: "pong"
        case .unknown(let type): type
        }
    }
}
