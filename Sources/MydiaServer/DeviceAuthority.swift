public import Foundation
public import MydiaWire

/// What the handshake needs from the device database (PROTOCOL.md §4.3, §12.9, §12.10).
public protocol DeviceAuthority: Sendable {
    /// Registers a freshly paired device; returns its id and the plaintext device token.
    func pairDevice(name: String, platform: String, publicKey: [UInt8]) async throws -> (deviceID: String, deviceToken: String)
    /// Authenticates a reconnect by the initiator's static key first, then the device token.
    /// - Throws: the `HandshakeFailure` to answer (`device_unknown`, `device_revoked`, `auth_failed`).
    func authenticate(deviceID: String, staticKey: [UInt8], deviceToken: String) async throws(HandshakeFailure)
    /// Fresh access and media tokens for message 2 (earlier ones stay valid).
    func credentials(deviceID: String) async throws -> SessionTokens
}

/// The two bearer credentials message 2 hands out.
public struct SessionTokens: Sendable, Equatable {
    public var accessToken: String
    public var accessExpiresAt: Date
    public var mediaToken: String
    public var mediaExpiresAt: Date

    public init(accessToken: String, accessExpiresAt: Date, mediaToken: String, mediaExpiresAt: Date) {
        self.accessToken = accessToken
        self.accessExpiresAt = accessExpiresAt
        self.mediaToken = mediaToken
        self.mediaExpiresAt = mediaExpiresAt
    }
}
