public import Foundation
import GRDB

/// A paired device (PROTOCOL.md §1). The device token itself is never stored, only its SHA-256.
public struct DeviceRecord: Sendable, Equatable {
    /// Lowercase UUID.
    public var id: String
    /// Sanitised, ≤ 64 characters (PROTOCOL.md §12.18).
    public var name: String
    /// Sanitised, ≤ 64 characters.
    public var platform: String
    /// The device's static X25519 public key (32 bytes); empty for a login device, which has none.
    public var publicKey: [UInt8]
    /// When it paired.
    public var createdAt: Date
    /// Last authenticated request or handshake.
    public var lastSeenAt: Date
    /// Revoked devices authenticate nothing.
    public var revoked: Bool
    /// The local user a login device signed in as (PROTOCOL.md §14.3); `nil` for a paired device.
    public var userID: String? = nil
    /// The client's own `deviceId` of a login device; `nil` for a paired device.
    public var clientDeviceID: String? = nil

    /// `true` for a device made by URL login rather than pairing.
    public var isLoginDevice: Bool { userID != nil || clientDeviceID != nil }
}

/// A bearer credential and when it stops working.
public struct IssuedToken: Sendable, Equatable {
    /// The plaintext token; shown to the device once, stored only as a hash.
    public var token: String
    /// Expiry.
    public var expiresAt: Date
}

extension DeviceRecord {
    init(row: Row) {
        let key: Data = row["public_key"]
        self.init(id: row["device_id"], name: row["device_name"], platform: row["platform"], publicKey: Array(key),
                  createdAt: Date(timeIntervalSince1970: row["created_at"]),
                  lastSeenAt: Date(timeIntervalSince1970: row["last_seen_at"]), revoked: row["revoked"],
                  userID: row["user_id"], clientDeviceID: row["client_device_id"])
    }
}
