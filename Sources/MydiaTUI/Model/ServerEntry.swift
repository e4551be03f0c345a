/// One stored server as the switcher (`S`) lists it.
public struct ServerEntry: Sendable, Hashable {
    /// How the client reaches it.
    public enum Kind: Sendable, Hashable {
        /// Paired through a relay (address: the relay).
        case paired
        /// Logged in by URL (address: the URL; direct only).
        case login
    }

    /// Its state from here.
    public enum State: Sendable, Hashable {
        /// The one on screen.
        case current
        /// Left less than a minute ago: its session is still open, switching back is instant.
        case warm
        /// Stored; switching opens its session.
        case stored
    }

    /// The stored id (instance id or login id).
    public var id: String
    /// Its name.
    public var name: String
    /// Paired or URL login.
    public var kind: Kind
    /// The relay (paired) or the URL (login).
    public var address: String
    /// Current, warm or stored.
    public var state: State

    /// An entry.
    public init(id: String, name: String, kind: Kind, address: String, state: State) {
        self.id = id
        self.name = name
        self.kind = kind
        self.address = address
        self.state = state
    }
}
