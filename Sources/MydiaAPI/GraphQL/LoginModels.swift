// URL-login models (PROTOCOL.md §14.2.2), field for field as stock Mydia's `LoginResult` and `User`.

/// The answer to `login` or `verifyTotp`. On success `token`, `user` and `expiresIn` are set; when
/// the account needs a second factor, `totpRequired` is true and `challengeToken` goes to
/// `verifyTotp`. Servers of the older generation send neither TOTP field (they have no TOTP).
public struct LoginResult: Sendable, Hashable, Codable {
    /// The user the token belongs to.
    public struct User: Sendable, Hashable, Codable {
        /// The user's id at the server.
        public var id: String
        /// The user name, when the server tells it.
        public var username: String?

        /// Creates a user.
        public init(id: String, username: String?) {
            self.id = id
            self.username = username
        }
    }

    /// The access token (a bearer for every request); `nil` while a TOTP code is still required.
    public var token: String?
    /// The signed-in user; `nil` while a TOTP code is still required.
    public var user: User?
    /// Seconds until the token expires; `nil` while a TOTP code is still required.
    public var expiresIn: Int?
    /// Whether `verifyTotp` must follow; absent (older servers) means false.
    public var totpRequired: Bool?
    /// The short-lived token for `verifyTotp` when `totpRequired`.
    public var challengeToken: String?

    /// Creates a result.
    public init(token: String?, user: User?, expiresIn: Int?, totpRequired: Bool?, challengeToken: String?) {
        self.token = token
        self.user = user
        self.expiresIn = expiresIn
        self.totpRequired = totpRequired
        self.challengeToken = challengeToken
    }

    /// Whether `verifyTotp` must follow before there is a token.
    public var needsTOTP: Bool { totpRequired == true }
}

extension LoginResult: CustomStringConvertible {
    /// Non-secret facts only.
    public var description: String {
        "LoginResult(user: \(user?.username ?? user?.id ?? "none"), expiresIn: \(expiresIn.map(String.init) ?? "none"), "
            + "totpRequired: \(totpRequired.map(String.init) ?? "absent"), tokens: <redacted>)"
    }
}
