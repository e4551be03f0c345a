public import Foundation
import GRDB

/// A local user who signs in by URL login (PROTOCOL.md §14.3). The password hash, the TOTP secret
/// and the recovery codes stay inside ``UserStore``.
public struct UserRecord: Sendable, Equatable {
    /// Lowercase UUID.
    public var id: String
    /// The name as it was added; names compare case-insensitively.
    public var username: String
    /// Whether sign-in asks for a TOTP or recovery code after the password.
    public var totpEnabled: Bool
    /// When the user was added.
    public var createdAt: Date
}

extension UserRecord {
    init(row: Row) {
        self.init(id: row["id"], username: row["username"], totpEnabled: (row["totp_secret"] as Data?) != nil,
                  createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }
}
