import Foundation
import GRDB
import MydiaWire

/// Devices made by URL login (PROTOCOL.md §14.2.2, §14.3): one record per (user, client
/// `deviceId`), no Noise key, no device token, and an access token that the bearer checks of
/// GraphQL and the media routes accept like a paired device's.
extension DeviceStore {
    /// Name stored for a login device that sent an empty one.
    static let unnamedDevice = "Unknown device"
    /// Platform stored for a login device that sent an empty one.
    static let unknownPlatform = "unknown"

    /// Signs `userID` in on the client device `clientDeviceID`: reuses the record of an earlier
    /// login from that device (un-revoking it and deleting its earlier tokens) or makes one, then
    /// issues a fresh 30-day access token with ``issueToken(_:deviceID:)``.
    /// - Parameters:
    ///   - userID: the local user.
    ///   - clientDeviceID: the client's own id (a UUID, checked by the caller), any case.
    ///   - name: the device name the client sent; sanitised and cut to 64 characters.
    ///   - platform: the platform the client sent; sanitised and cut to 64 characters.
    /// - Returns: the device and its access token — the only time the token exists in clear.
    public func signIn(userID: String, clientDeviceID: String, name: String, platform: String) async throws
        -> (device: DeviceRecord, access: IssuedToken)
    {
        let client = clientDeviceID.lowercased()
        let cleanName = DisplayText.name(name).trimmingCharacters(in: .whitespaces)
        let cleanPlatform = DisplayText.name(platform).trimmingCharacters(in: .whitespaces)
        let deviceName = cleanName.isEmpty ? Self.unnamedDevice : cleanName
        let devicePlatform = cleanPlatform.isEmpty ? Self.unknownPlatform : cleanPlatform
        let stamp = now().timeIntervalSince1970
        let deviceID = try await database.queue.write { db -> String in
            if let existing = try String.fetchOne(db, sql: "SELECT device_id FROM devices WHERE user_id = ? AND client_device_id = ?",
                                                  arguments: [userID, client]) {
                try db.execute(sql: """
                    UPDATE devices SET device_name = ?, platform = ?, last_seen_at = ?, revoked = 0 WHERE device_id = ?
                    """, arguments: [deviceName, devicePlatform, stamp, existing])
                try db.execute(sql: "DELETE FROM tokens WHERE device_id = ?", arguments: [existing])
                return existing
            }
            let id = UUID().uuidString.lowercased()
            try db.execute(sql: """
                INSERT INTO devices (device_id, device_name, platform, public_key, token_hash, created_at, last_seen_at,
                    revoked, user_id, client_device_id) VALUES (?, ?, ?, X'', X'', ?, ?, 0, ?, ?)
                """, arguments: [id, deviceName, devicePlatform, stamp, stamp, userID, client])
            return id
        }
        let access = try await issueToken(.access, deviceID: deviceID)
        guard let device = try await device(id: deviceID) else { throw Error.deviceUnknown }
        return (device, access)
    }

    /// The devices of one user, oldest first (revoked ones included).
    public func devices(ofUser userID: String) async throws -> [DeviceRecord] {
        try await database.queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM devices WHERE user_id = ? ORDER BY created_at, device_id",
                             arguments: [userID]).map(DeviceRecord.init(row:))
        }
    }

    /// Revokes every device of `userID` and deletes their tokens, inside the caller's transaction.
    /// - Returns: the ids of the devices that were not revoked before.
    static func revokeDevices(ofUser userID: String, in db: Database) throws -> [String] {
        let live = try String.fetchAll(db, sql: "SELECT device_id FROM devices WHERE user_id = ? AND revoked = 0",
                                       arguments: [userID])
        try db.execute(sql: "UPDATE devices SET revoked = 1 WHERE user_id = ?", arguments: [userID])
        try db.execute(sql: "DELETE FROM tokens WHERE device_id IN (SELECT device_id FROM devices WHERE user_id = ?)",
                       arguments: [userID])
        return live
    }
}
