/// The two ways a client reaches its instance (PROTOCOL.md §8).
public enum TransportPath: String, Sendable, CaseIterable {
    /// Through the relay, end-to-end encrypted (§2, §4, §5).
    case relay
    /// HTTPS straight to one of the instance's direct URLs, certificate pinned (§6).
    case direct
}
