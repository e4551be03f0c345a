/// What a `login` or `verifyTotp` call ends in (PROTOCOL.md §14.2.2): a token, a request for the
/// second factor, or a refusal whose ``LoginRefusal/message`` is the text stock Mydia sends.
public enum LoginOutcome: Sendable, Equatable {
    /// Signed in: `LoginResult { token expiresIn user }`.
    case success(LoginGrant)
    /// The password was right and the account has TOTP: `LoginResult { totpRequired: true
    /// challengeToken }`; call ``LoginAuthority/verifyTotp(challengeToken:code:clientAddress:)``
    /// within 300 s.
    case totpRequired(challengeToken: String)
    /// Refused: the message goes to GraphQL `errors[].message`.
    case refused(LoginRefusal)
}

/// A successful sign-in.
public struct LoginGrant: Sendable, Equatable {
    /// The access token: `Authorization: Bearer` for GraphQL and media. Shown once, stored hashed.
    public var token: String
    /// Seconds until the token expires (30 days).
    public var expiresIn: Int
    /// Who signed in.
    public var user: LoginUser
    /// The server's id of the login device (`RemoteDevice.id`, what `revokeDevice` takes).
    public var deviceID: String

    /// Creates a grant.
    public init(token: String, expiresIn: Int, user: LoginUser, deviceID: String) {
        self.token = token
        self.expiresIn = expiresIn
        self.user = user
        self.deviceID = deviceID
    }
}

/// The `User` of a `LoginResult`.
public struct LoginUser: Sendable, Equatable {
    /// `User.id`.
    public var id: String
    /// `User.username`, as the user was added.
    public var username: String

    /// Creates a user.
    public init(id: String, username: String) {
        self.id = id
        self.username = username
    }
}

/// Why a sign-in was refused. Each message is word for word what a stock Mydia server answers
/// (PROTOCOL.md §14.2.4), so clients recognise it, except ``invalidDevice`` and ``unavailable``,
/// which a stock server has no text for.
public enum LoginRefusal: Swift.Error, Sendable, Equatable, CustomStringConvertible {
    /// Unknown user or wrong password — the two are indistinguishable on purpose.
    case invalidCredentials
    /// Five failures from this address for this name in the last 15 minutes.
    case rateLimited
    /// The TOTP or recovery code is wrong (or was already used).
    case invalidCode
    /// The challenge token is unknown, used up or older than 300 s.
    case challengeExpired
    /// `deviceId` is not a UUID.
    case invalidDevice
    /// The server's database failed; nothing was decided.
    case unavailable

    /// The GraphQL error message.
    public var message: String {
        switch self {
        case .invalidCredentials: "Invalid username or password"
        case .rateLimited: "Too many login attempts. Please try again later."
        case .invalidCode: "Invalid code"
        case .challengeExpired: "Sign-in expired, please try again"
        case .invalidDevice: "The device id must be a UUID"
        case .unavailable: "The server could not sign you in right now. Please try again later."
        }
    }

    public var description: String { message }
}
