/// The `code` of a relay `error` message (PROTOCOL.md §2.1, §2.2, §12.3). Open-ended: a code this
/// build does not know still decodes, as its raw string.
public struct RelayErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The code as it travels on the wire.
    public let rawValue: String
    /// Wraps a wire code.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Another key is already bound to this `instance_id` (first writer wins, §2.1, §12.2).
    public static let instanceIDConflict = RelayErrorCode(rawValue: "instance_id_conflict")
    /// The instance registered before and is disconnected now (§11.2).
    public static let instanceOffline = RelayErrorCode(rawValue: "instance_offline")
    /// The relay has never seen this instance (§11.2).
    public static let instanceNotFound = RelayErrorCode(rawValue: "instance_not_found")
    /// The message was malformed or not allowed in this state.
    public static let badRequest = RelayErrorCode(rawValue: "bad_request")
    /// A rate or session limit was hit.
    public static let rateLimited = RelayErrorCode(rawValue: "rate_limited")
    /// No common `relay_protocol` (§12.3).
    public static let unsupportedProtocol = RelayErrorCode(rawValue: "unsupported_protocol")
    /// The register's proof of possession did not verify (§12.2).
    public static let invalidProof = RelayErrorCode(rawValue: "invalid_proof")

    /// The code as shown to a person: control characters stripped, at most 64 characters (§12.18).
    public var description: String { DisplayText.name(rawValue) }
}

/// The `reason` of a relay `close` message (PROTOCOL.md §12.3, plus any §4.3 error string).
public struct RelayCloseReason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The reason as it travels on the wire.
    public let rawValue: String
    /// Wraps a wire reason.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The instance socket went away (or was replaced by a newer registration).
    public static let instanceDisconnected = RelayCloseReason(rawValue: "instance_disconnected")
    /// The client socket went away.
    public static let clientDisconnected = RelayCloseReason(rawValue: "client_disconnected")
    /// The instance gave up waiting for handshake message 1 (§11.10).
    public static let handshakeTimeout = RelayCloseReason(rawValue: "handshake_timeout")
    /// The handshake failed.
    public static let handshakeFailed = RelayCloseReason(rawValue: "handshake_failed")
    /// Nothing, not even a ping, crossed the session for the idle timeout (§2.3, §11.2).
    public static let idleTimeout = RelayCloseReason(rawValue: "idle_timeout")
    /// The client did not read fast enough: its 1 MiB relay buffer filled up (§12.4).
    public static let slowConsumer = RelayCloseReason(rawValue: "slow_consumer")

    /// The reason as shown to a person: control characters stripped, at most 64 characters (§12.18).
    public var description: String { DisplayText.name(rawValue) }
}

/// The relay protocol version this build speaks (`relay_protocol`).
public enum RelayProtocol {
    /// Version 1, the only one defined.
    public static let version = 1
}
