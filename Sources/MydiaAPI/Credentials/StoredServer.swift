public import Foundation

/// A server this device can open, of either kind: paired through the relay (PROTOCOL.md §3) or
/// reached by URL login (§14.2). `--server`, the server list and `unpair`/`logout` cover both.
public enum StoredServer: Sendable, CustomStringConvertible {
    /// A paired instance (relay first, pinned direct path).
    case paired(ServerCredentials)
    /// A URL-login server (direct only).
    case login(LoginServer)

    /// Which kind, for lists and JSON.
    public enum Kind: String, Sendable, Hashable {
        case paired, login
    }

    /// The kind.
    public var kind: Kind {
        switch self {
        case .paired: .paired
        case .login: .login
        }
    }

    /// The instance id of a paired server, the local id of a login.
    public var id: String {
        switch self {
        case .paired(let c): c.instanceID
        case .login(let l): l.id
        }
    }

    /// The display name (sanitised).
    public var name: String {
        switch self {
        case .paired(let c): c.instanceName
        case .login(let l): l.name
        }
    }

    /// Where it is reached: the relay origin of a paired server, the base URL of a login.
    public var address: String {
        switch self {
        case .paired(let c): c.relayURL
        case .login(let l): l.baseURL
        }
    }

    /// When it was paired or logged in to.
    public var addedAt: Date {
        switch self {
        case .paired(let c): c.pairedAt
        case .login(let l): l.loggedInAt
        }
    }

    /// When it was last used.
    public var lastUsedAt: Date {
        switch self {
        case .paired(let c): c.lastUsedAt
        case .login(let l): l.lastUsedAt
        }
    }

    /// The paired credentials, if this is a paired server.
    public var credentials: ServerCredentials? {
        if case .paired(let c) = self { return c }
        return nil
    }

    /// The login, if this is a URL-login server.
    public var login: LoginServer? {
        if case .login(let l) = self { return l }
        return nil
    }

    /// Non-secret facts only (the wrapped values redact their secrets).
    public var description: String {
        switch self {
        case .paired(let c): c.description
        case .login(let l): l.description
        }
    }
}
