/// How an instance shows itself on the LAN (PROTOCOL.md §9; Spacedrive's enabled / contacts-only /
/// disabled).
public enum DiscoveryMode: String, Sendable, CaseIterable, CustomStringConvertible {
    /// TXT `v=1`, `id=<instance_id>`, `name=<instance_name>`: anyone on the LAN sees who it is.
    case enabled
    /// TXT `v=1`, `h=<tag>`: the instance name is an hourly tag only paired clients recognise, the
    /// host name is random per hour (§11.17, §12.12), so it cannot be tracked across hours.
    case `private`
    /// Nothing is sent.
    case disabled

    public var description: String { rawValue }
}
