/// Which generation of stock Mydia's GraphQL schema the server answers as (PROTOCOL.md §14.2.8).
///
/// The server runs one executable schema; a generation chooses the *dialect* a request is validated
/// against (``SchemaDialect``), so an older generation refuses what its schema lacks exactly as a
/// stock server of that age does: `Cannot query field "…"`, `Unknown argument "…"`.
public enum StockGeneration: String, Sendable, Hashable, CaseIterable {
    /// `schema.graphql`: current stock servers (the default).
    case current
    /// `schema-2026-07-01.graphql`: no TOTP, no `serverCompatibility`, no `refreshAccessToken`,
    /// `startStreamingSession` without `maxHeight`/`startPosition`/`playlistMode`, a flat `search`.
    case legacy20260701 = "2026-07-01"
}
