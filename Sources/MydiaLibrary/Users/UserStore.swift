public import Foundation
import GRDB
public import MydiaCrypto

/// Local users in the server's SQLite state (PROTOCOL.md §14.3): names unique regardless of case,
/// Argon2id password hashes, an optional TOTP secret, and recovery codes stored only as SHA-256.
/// `mydia-server user add|list|remove` and ``LoginAuthority`` work through it.
public final class UserStore: Sendable {
    /// Why a user could not be added, found or removed.
    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        /// The name is empty, too long or has characters outside `A–Z a–z 0–9 . _ @ -`.
        case invalidUsername
        /// Another user has this name (in any case).
        case usernameTaken(String)
        /// No user has this name.
        case unknownUser(String)
        /// The password cannot be used.
        case password(PasswordHash.Error)

        /// One plain sentence.
        public var description: String {
            switch self {
            case .invalidUsername:
                "A user name is 1 to \(UserStore.maxUsernameLength) characters of letters, digits, '.', '_', '@' and '-', starting with a letter or digit."
            case .usernameTaken(let name): "A user named \(name) already exists — pick another name or remove that user first."
            case .unknownUser(let name): "There is no user named \(name)."
            case .password(let error): error.description
            }
        }
    }

    /// What ``add(username:password:withTOTP:)`` hands out once: the secrets the user needs.
    public struct NewUser: Sendable {
        /// The stored user.
        public var user: UserRecord
        /// The TOTP generator to show as a QR code, when asked for.
        public var totp: TOTP?
        /// Single-use codes that stand in for a TOTP code (shown once; only their hashes are kept).
        public var recoveryCodes: [String]
    }

    /// One line of ``list()``.
    public struct Listing: Sendable, Equatable {
        /// The user.
        public var user: UserRecord
        /// Login devices of the user that are not revoked.
        public var activeDevices: Int
    }

    /// What ``LoginAuthority`` needs to check a sign-in.
    struct Credentials: Sendable {
        var user: UserRecord
        var passwordHash: String
        var totp: TOTP?
        var totpLastStep: Int64?
    }

    /// Longest user name, in characters.
    public static let maxUsernameLength = 64
    /// Recovery codes made for a user with TOTP.
    public static let recoveryCodeCount = 10

    let database: LibraryDatabase
    let now: @Sendable () -> Date
    /// The Argon2id cost of new password hashes (and of ``LoginAuthority``'s stand-in hash).
    public let passwordCost: PasswordHash.Cost

    /// - Parameters:
    ///   - database: the shared state database.
    ///   - passwordCost: the cost of new password hashes.
    ///   - now: the clock (injected for tests).
    public init(database: LibraryDatabase, passwordCost: PasswordHash.Cost = .interactive,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.passwordCost = passwordCost
        self.now = now
    }

    /// `true` for a name ``add(username:password:withTOTP:)`` accepts.
    public static func isValidUsername(_ name: String) -> Bool {
        let scalars = Array(name.unicodeScalars)
        guard (1...maxUsernameLength).contains(scalars.count), let first = scalars.first else { return false }
        func isAlphanumeric(_ s: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s)
        }
        return isAlphanumeric(first) && scalars.allSatisfy { isAlphanumeric($0) || ".-_@".unicodeScalars.contains($0) }
    }

    /// Adds a user, hashing `password` (which is zeroed whatever happens).
    /// - Parameter withTOTP: give the user a TOTP secret and recovery codes, so sign-in asks for a
    ///   code after the password.
    /// - Returns: the user and, with TOTP, the secret and recovery codes to show once.
    public func add(username: String, password: inout [UInt8], withTOTP: Bool) async throws -> NewUser {
        guard Self.isValidUsername(username) else {
            PasswordHash.wipe(&password)
            throw Error.invalidUsername
        }
        let hash: String
        do { hash = try PasswordHash.hash(&password, cost: passwordCost) } catch { throw Error.password(error) }
        let totp = withTOTP ? TOTP.generate() : nil
        let codes = withTOTP ? (0..<Self.recoveryCodeCount).map { _ in Self.makeRecoveryCode() } : []
        let user = UserRecord(id: UUID().uuidString.lowercased(), username: username, totpEnabled: withTOTP, createdAt: now())
        try await database.queue.write { db in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM users WHERE username = ?", arguments: [username]) == nil else {
                throw Error.usernameTaken(username)
            }
            try db.execute(sql: """
                INSERT INTO users (id, username, password_hash, totp_secret, created_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [user.id, username, hash, totp.map { Data($0.secret) }, user.createdAt.timeIntervalSince1970])
            for code in codes {
                try db.execute(sql: "INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)",
                               arguments: [user.id, Self.recoveryCodeHash(code)])
            }
        }
        return NewUser(user: user, totp: totp, recoveryCodes: codes)
    }

    /// The user with this name (any case), or `nil`.
    public func find(username: String) async throws -> UserRecord? {
        guard Self.isValidUsername(username) else { return nil }
        return try await database.queue.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM users WHERE username = ?", arguments: [username]).map(UserRecord.init(row:))
        }
    }

    /// Every user by name, with the number of their devices that are not revoked.
    public func list() async throws -> [Listing] {
        try await database.queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT u.*, (SELECT COUNT(*) FROM devices d WHERE d.user_id = u.id AND d.revoked = 0) AS active_devices
                FROM users u ORDER BY u.username COLLATE NOCASE
                """).map { Listing(user: UserRecord(row: $0), activeDevices: $0["active_devices"]) }
        }
    }

    /// Removes a user and revokes all their devices (their access tokens stop working at once).
    /// - Returns: the ids of the devices this revoked, so a running server can close their sessions.
    /// - Throws: ``Error/unknownUser(_:)`` when no user has this name.
    @discardableResult
    public func remove(username: String) async throws -> [String] {
        guard Self.isValidUsername(username) else { throw Error.unknownUser(username) }
        return try await database.queue.write { db in
            guard let id = try String.fetchOne(db, sql: "SELECT id FROM users WHERE username = ?", arguments: [username]) else {
                throw Error.unknownUser(username)
            }
            let revoked = try DeviceStore.revokeDevices(ofUser: id, in: db)
            try db.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [id])
            return revoked
        }
    }

    // MARK: - For LoginAuthority

    /// The stored credentials of the user with this name (any case), or `nil`.
    func credentials(username: String) async throws -> Credentials? {
        guard Self.isValidUsername(username) else { return nil }
        return try await credentials(where: "username = ?", username)
    }

    /// The stored credentials of the user with this id, or `nil`.
    func credentials(userID: String) async throws -> Credentials? {
        try await credentials(where: "id = ?", userID)
    }

    private func credentials(where condition: String, _ value: String) async throws -> Credentials? {
        try await database.queue.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM users WHERE \(condition)", arguments: [value]) else {
                return nil
            }
            let secret: Data? = row["totp_secret"]
            return Credentials(user: UserRecord(row: row), passwordHash: row["password_hash"],
                               totp: secret.map { TOTP(secret: Array($0)) }, totpLastStep: row["totp_last_step"])
        }
    }

    /// Records that the TOTP code of `step` signed the user in; `false` when that step or a later
    /// one already did (a code is good once, RFC 6238 §5.2) or the user is gone.
    func acceptTOTPStep(userID: String, step: Int64) async throws -> Bool {
        try await database.queue.write { db in
            try db.execute(sql: """
                UPDATE users SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)
                """, arguments: [step, userID, step])
            return db.changesCount == 1
        }
    }

    /// Uses up one recovery code of the user; `false` if it is not one of their unused codes.
    func consumeRecoveryCode(userID: String, code: String) async throws -> Bool {
        let hash = Self.recoveryCodeHash(code)
        return try await database.queue.write { db in
            try db.execute(sql: "DELETE FROM recovery_codes WHERE user_id = ? AND code_hash = ?", arguments: [userID, hash])
            return db.changesCount == 1
        }
    }

    /// A recovery code: 80 random bits as 16 base32 letters in groups of four, `abcd-efgh-ijkl-mnop`.
    static func makeRecoveryCode() -> String {
        let letters = Array(Base32.encode(SecretBytes.random(count: 10).exposedCopy()).lowercased())
        return stride(from: 0, to: letters.count, by: 4).map { String(letters[$0..<min($0 + 4, letters.count)]) }
            .joined(separator: "-")
    }

    /// The stored form of a recovery code: SHA-256 of its letters, lowercased, without separators
    /// (80 random bits need no slow hash).
    static func recoveryCodeHash(_ code: String) -> Data {
        let letters = code.lowercased().unicodeScalars.filter { $0 != "-" && $0 != " " }
        return Data(SHA256.hash(Array(String(String.UnicodeScalarView(letters)).utf8)))
    }
}
