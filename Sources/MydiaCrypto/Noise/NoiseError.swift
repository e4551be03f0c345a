/// Why a Noise operation failed. Any handshake error is final: the handshake cannot continue and
/// the session must be closed (PROTOCOL.md §4.5).
public enum NoiseError: Error, Equatable, Sendable {
    /// The protocol name is not `Noise_<pattern>_25519_ChaChaPoly_SHA256` with a known pattern.
    case unsupportedProtocol(String)
    /// A static key, remote key or PSK the pattern needs was not given, or had the wrong length.
    case missingKey(String)
    /// A message was written or read by the side whose turn it is not.
    case outOfTurn
    /// The handshake already finished; no more handshake messages are accepted.
    case handshakeComplete
    /// The handshake has not finished; transport keys do not exist yet.
    case handshakeIncomplete
    /// An earlier step failed; the handshake state is unusable.
    case handshakeFailed
    /// A handshake message was too short for its tokens, or longer than 65,535 bytes.
    case malformedMessage
    /// A MAC did not verify.
    case authenticationFailed
    /// A DH produced the all-zero output (low-order point) or a key had the wrong length.
    case invalidPublicKey
    /// The 64-bit nonce is used up; the key must not be used again.
    case nonceExhausted
}
