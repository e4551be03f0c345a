/// The relay's bounds (PROTOCOL.md §2.3, §3.2, §12.1, §12.4), in one place.
public struct RelayLimits: Sendable {
    /// Largest binary WebSocket message from a client: one E2EE frame.
    public var maxClientBinary = 65_563
    /// Largest binary message from an instance: the 36-byte session prefix plus one frame.
    public var maxInstanceBinary = 36 + 65_563
    /// Largest text (JSON control) message.
    public var maxText = 4 * 1024

    public init() {}
}
