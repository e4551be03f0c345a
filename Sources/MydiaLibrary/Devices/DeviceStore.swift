public import Foundation
import GRDB
import MydiaCrypto
import MydiaWire

/// Devices and their tokens: what the pairing and reconnect handshake, the GraphQL API and the
/// HLS endpoints call to create devices, authenticate them and check bearers.
///
/// - `device_token` = `<device_id>.<b64url(32 random bytes)>`, stored as SHA-256 (PROTOCOL.md §12.10).
/// - Access tokens live 30 days, media tokens 24 h (PROTOCOL.md §7); both are opaque
///   b64url(32 random bytes), stored hashed and bound to one device.
public final class DeviceStore: Sendable {
    /// Why a device or token was refused. `wireError` gives the §4.3 handshake error string.
    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        /// No device has this id (or the token is not of the device-token form).
        case deviceUnknown
        /// The device was revoked.
        case deviceRevoked
        /// The handshake's static key is not the one registered for the device.
        case keyMismatch
        /// The device token does not match.
        case tokenMismatch
        /// The bearer/media token is not one this instance issued (or it was for another kind).
        case tokenInvalid
        /// The token expired.
        case tokenExpired
        /// The public key is not 32 bytes.
        case invalidPublicKey

        /// The error string of a failure message 2 (PROTOCOL.md §4.3).
        public var wireError: String {
            switch self {
            case .deviceUnknown: "device_unknown"
            case .deviceRevoked: "device_revoked"
            case .keyMismatch, .tokenMismatch, .tokenInvalid, .tokenExpired, .invalidPublicKey: "auth_failed"
            }
        }

        /// One plain sentence saying what happened and what to do.
        public var description: String {
            switch self {
            case .deviceUnknown: "This device is not paired with the server — pair it again."
            case .deviceRevoked: "This device was removed from the server — pair it again."
            case .keyMismatch: "The device's key does not match the one it paired with."
            case .tokenMismatch: "The device token is wrong — pair the device again."
            case .tokenInvalid: "The token is not valid — sign in again."
            case .tokenExpired: "The token has expired — refresh it."
            case .invalidPublicKey: "A device key must be 32 bytes."
            }
        }
    }

    /// The kinds of bearer tokens.
    public enum TokenKind: String, Sendable {
        /// Bearer for GraphQL, probe and HLS.
        case access
        /// `?token=` for HLS and file streams.
        case media

        /// How long a freshly issued token lives (PROTOCOL.md §7).
        public var lifetime: TimeInterval {
            switch self {
            case .access: 30 * 24 * 3600
            case .media: 24 * 3600
            }
        }
    }

    let database: LibraryDatabase
    let now: @Sendable () -> Date

    /// - Parameters:
    ///   - database: the shared state database.
    ///   - now: the clock (injected so tests can expire tokens).
    public init(database: LibraryDatabase, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.now = now
    }

    /// Registers a freshly paired device.
    /// - Returns: the device and its plaintext device token — the only time it exists in clear.
    public func createDevice(name: String, platform: String, publicKey: [UInt8]) async throws
        -> (device: DeviceRecord, deviceToken: String)
    {
        guard publicKey.count == 32 else { throw Error.invalidPublicKey }
        let id = UUID().uuidString.lowercased()
        let token = id + "." + Self.randomSecret()
        let stamp = now()
        let device = DeviceRecord(id: id, name: DisplayText.name(name), platform: DisplayText.name(platform),
                                  publicKey: publicKey, createdAt: stamp, lastSeenAt: stamp, revoked: false)
        try await database.queue.write { db in
            try db.execute(sql: """
                INSERT INTO devices (device_id, device_name, platform, public_key, token_hash, created_at,
                    last_seen_at, revoked) VALUES (?, ?, ?, ?, ?, ?, ?, 0)
                """, arguments: [device.id, device.name, device.platform, Data(publicKey), Self.hash(token),
                                 stamp.timeIntervalSince1970, stamp.timeIntervalSince1970])
        }
        return (device, token)
    }

    /// Authenticates a `reconnect` handshake payload: the initiator's Noise static key must equal the
    /// device's registered key (checked first), then the device token must match — both in constant time.
    /// Marks the device seen.
    public func authenticateReconnect(deviceID: String, staticKey: [UInt8], deviceToken: String) async throws
        -> DeviceRecord
    {
        guard var device = try await self.device(id: deviceID) else { throw Error.deviceUnknown }
        guard ConstantTime.equals(device.publicKey, staticKey) else { throw Error.keyMismatch }
        let deviceID = device.id
        let stored = try await database.queue.read { db in
            try Data.fetchOne(db, sql: "SELECT token_hash FROM devices WHERE device_id = ?", arguments: [deviceID])
        }
        guard let stored, ConstantTime.equals(Array(stored), Array(Self.hash(deviceToken))) else {
            throw Error.tokenMismatch
        }
        guard !device.revoked else { throw Error.deviceRevoked }
        device.lastSeenAt = try await touch(deviceID: device.id)
        return device
    }

    /// Issues a new access or media token for a device that is not revoked.
    ///
    /// The same write deletes the tokens that expired more than ``expiredTokenGrace`` ago: every
    /// handshake adds two rows and every refresh one, so the table stays as large as the tokens
    /// issued in the last 37 days, with no timer to run and whatever hosts the store.
    public func issueToken(_ kind: TokenKind, deviceID: String) async throws -> IssuedToken {
        let token = Self.randomSecret()
        let issued = now()
        let expires = issued.addingTimeInterval(kind.lifetime)
        try await database.queue.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT revoked FROM devices WHERE device_id = ?",
                                             arguments: [deviceID]) else { throw Error.deviceUnknown }
            guard !(row["revoked"] as Bool) else { throw Error.deviceRevoked }
            try db.execute(sql: "INSERT INTO tokens (token_hash, kind, device_id, expires_at) VALUES (?, ?, ?, ?)",
                           arguments: [Self.hash(token), kind.rawValue, deviceID, expires.timeIntervalSince1970])
            try Self.deleteTokens(db, expiredBefore: issued.addingTimeInterval(-Self.expiredTokenGrace))
        }
        return IssuedToken(token: token, expiresAt: expires)
    }

    /// Checks a bearer (access) or `?token=` (media) token: issued here for that kind, not expired,
    /// device not revoked. Marks the device seen.
    /// - Parameter allowExpired: accept an expired token (only `refreshMediaToken`, PROTOCOL.md §12.14).
    public func validate(_ token: String, kind: TokenKind, allowExpired: Bool = false) async throws -> DeviceRecord {
        let hash = Self.hash(token)
        let instant = now().timeIntervalSince1970
        let device = try await database.queue.read { db -> DeviceRecord in
            // The lookup is by SHA-256 of a 256-bit secret: timing reveals nothing useful about the token.
            guard let row = try Row.fetchOne(db, sql: """
                SELECT t.kind, t.expires_at, d.* FROM tokens t JOIN devices d ON d.device_id = t.device_id
                WHERE t.token_hash = ?
                """, arguments: [hash]), (row["kind"] as String) == kind.rawValue else { throw Error.tokenInvalid }
            let device = DeviceRecord(row: row)
            guard !device.revoked else { throw Error.deviceRevoked }
            guard allowExpired || (row["expires_at"] as Double) > instant else { throw Error.tokenExpired }
            return device
        }
        // One write per minute per device is enough for `lastSeenAt`; every request would be a write.
        guard now().timeIntervalSince(device.lastSeenAt) >= Self.touchInterval else { return device }
        var seen = device
        seen.lastSeenAt = try await touch(deviceID: device.id)
        return seen
    }

    /// How stale `lastSeenAt` may get before a bearer check refreshes it.
    static let touchInterval: TimeInterval = 60

    /// The credentials a successful handshake's message 2 carries (PROTOCOL.md §4.3).
    public struct SessionCredentials: Sendable, Equatable {
        /// Bearer for GraphQL, probe and HLS (30 days).
        public var access: IssuedToken
        /// `?token=` for HLS and file streams (24 h).
        public var media: IssuedToken
    }

    /// Issues a fresh access and media token pair, e.g. for message 2 after `pair` or `reconnect`.
    /// Earlier tokens stay valid (PROTOCOL.md §12.9).
    public func issueCredentials(deviceID: String) async throws -> SessionCredentials {
        SessionCredentials(access: try await issueToken(.access, deviceID: deviceID),
                           media: try await issueToken(.media, deviceID: deviceID))
    }

    /// `refreshAccessToken(deviceToken)`: a new access token for the device the token names.
    public func refreshAccessToken(deviceToken: String) async throws -> IssuedToken {
        guard let dot = deviceToken.firstIndex(of: "."),
              let device = try await self.device(id: String(deviceToken[..<dot]))
        else { throw Error.deviceUnknown }
        let stored = try await database.queue.read { db in
            try Data.fetchOne(db, sql: "SELECT token_hash FROM devices WHERE device_id = ?", arguments: [device.id])
        }
        guard let stored, ConstantTime.equals(Array(stored), Array(Self.hash(deviceToken))) else {
            throw Error.tokenMismatch
        }
        guard !device.revoked else { throw Error.deviceRevoked }
        _ = try await touch(deviceID: device.id)
        return try await issueToken(.access, deviceID: device.id)
    }

    /// `refreshMediaToken(token)`: the current media token (expired is fine) must belong to
    /// `bearerDevice`, the device of a valid access token (PROTOCOL.md §12.14). The old token is retired.
    public func refreshMediaToken(current: String, bearerDevice: DeviceRecord) async throws -> IssuedToken {
        let owner = try await validate(current, kind: .media, allowExpired: true)
        guard owner.id == bearerDevice.id else { throw Error.tokenInvalid }
        let fresh = try await issueToken(.media, deviceID: owner.id)
        let oldHash = Self.hash(current)
        try await database.queue.write { db in
            try db.execute(sql: "DELETE FROM tokens WHERE token_hash = ?", arguments: [oldHash])
        }
        return fresh
    }

    /// Revokes a device and deletes its access and media tokens.
    /// - Returns: `false` when no such device exists. The caller closes the device's sessions.
    @discardableResult
    public func revokeDevice(id: String) async throws -> Bool {
        try await database.queue.write { db in
            try db.execute(sql: "UPDATE devices SET revoked = 1 WHERE device_id = ?", arguments: [id])
            let changed = db.changesCount > 0
            try db.execute(sql: "DELETE FROM tokens WHERE device_id = ?", arguments: [id])
            return changed
        }
    }

    /// All devices, oldest first (revoked ones included).
    public func listDevices() async throws -> [DeviceRecord] {
        try await database.queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM devices ORDER BY created_at, device_id").map(DeviceRecord.init(row:))
        }
    }

    /// One device, or `nil`.
    public func device(id: String) async throws -> DeviceRecord? {
        try await database.queue.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM devices WHERE device_id = ?", arguments: [id.lowercased()])
                .map(DeviceRecord.init(row:))
        }
    }

    /// Sets `last_seen_at` to now and returns it.
    @discardableResult
    public func touch(deviceID: String) async throws -> Date {
        let stamp = now()
        try await database.queue.write { db in
            try db.execute(sql: "UPDATE devices SET last_seen_at = ? WHERE device_id = ?",
                           arguments: [stamp.timeIntervalSince1970, deviceID])
        }
        return stamp
    }

    /// How long after its expiry a token row is kept: an expired media token stays refreshable
    /// (`refreshMediaToken`, PROTOCOL.md §12.14) for this long.
    public static let expiredTokenGrace: TimeInterval = 7 * 24 * 3600

    /// Deletes tokens that expired more than `grace` ago. ``issueToken(_:deviceID:)`` does this at
    /// every issue; this is for a caller that wants it now.
    public func purgeExpiredTokens(grace: TimeInterval = DeviceStore.expiredTokenGrace) async throws {
        let cutoff = now().addingTimeInterval(-grace)
        try await database.queue.write { db in try Self.deleteTokens(db, expiredBefore: cutoff) }
    }

    private static func deleteTokens(_ db: Database, expiredBefore cutoff: Date) throws {
        try db.execute(sql: "DELETE FROM tokens WHERE expires_at < ?", arguments: [cutoff.timeIntervalSince1970])
    }

    static func randomSecret() -> String { Encoding.base64URL(SecretBytes.random(count: 32).exposedCopy()) }
    static func hash(_ token: String) -> Data { Data(SHA256.hash(Array(token.utf8))) }
}
