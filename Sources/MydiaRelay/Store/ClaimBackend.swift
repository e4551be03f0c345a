/// Where sealed claims live (PROTOCOL.md §3.2, §12.6, §12.7, §15): this process's memory
/// (``ClaimStore``, the default) or the fleet's database (``FleetStore``). The claim routes speak
/// only this.
protocol ClaimBackend: Sendable {
    /// Stores a claim unless a live one already holds `lookupKey` (first writer wins, §12.6a).
    /// - Parameter owner: hex(SHA-256(delete_secret)), already validated.
    func publish(lookupKey: String, sealed: String, owner: String) async -> ClaimPublishResult
    /// The live sealed claim for `lookupKey`, if any.
    func lookup(_ lookupKey: String) async -> ClaimLookupResult
    /// Deletes the claim if SHA-256(`deleteSecret`) equals its owner, compared in constant time.
    func delete(lookupKey: String, deleteSecret: String) async -> ClaimDeleteResult
    /// Drops expired entries.
    func prune() async
}

/// Outcome of ``ClaimBackend/publish(lookupKey:sealed:owner:)``.
enum ClaimPublishResult: Equatable, Sendable {
    case created, conflict, full
    /// The fleet's database did not answer (§15): nothing was stored.
    case unavailable
}

/// Outcome of ``ClaimBackend/lookup(_:)``.
enum ClaimLookupResult: Equatable, Sendable {
    case found(String)
    case notFound
    /// The fleet's database did not answer (§15): no answer is not "no claim".
    case unavailable
}

/// Outcome of ``ClaimBackend/delete(lookupKey:deleteSecret:)``.
enum ClaimDeleteResult: Equatable, Sendable {
    case deleted, notFound, forbidden
    /// The fleet's database did not answer (§15).
    case unavailable
}
