/// Which generation of stock Mydia's GraphQL schema a server speaks (PROTOCOL.md §14.2.8): the
/// current one, or the older one still in the field (`schema-2026-07-01`: no TOTP fields, no
/// `serverCompatibility`, no `refreshAccessToken`, fewer `startStreamingSession` arguments).
public enum ServerGeneration: String, Sendable, Hashable, Codable, CaseIterable {
    /// The current schema: every operation's main document.
    case current
    /// The schema of 2026-07-01: operations that have one use their `legacy` form.
    case legacy2026_07
}
