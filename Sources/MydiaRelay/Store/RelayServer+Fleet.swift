extension RelayServer {
    /// Whether the fleet database's schema is in place (always `true` for a lone relay). Until it
    /// is, pairings and cross-node lookups answer "unavailable" (PROTOCOL.md §15).
    public var isStoreReady: Bool { hub.fleet?.isReady ?? true }

    /// Queries this node has sent to the fleet database (0 for a lone relay); the fleet bench
    /// reports queries per connect from it.
    public var storeQueries: Int { hub.fleet?.queriesSent ?? 0 }

    /// Rewrites this node's presence rows now instead of at the next refresh (tests, benches).
    public func refreshPresence() async {
        await hub.fleet?.refreshPresence(hub: hub)
    }
}
