import Foundation

// `S`: the server switcher. It lists the stored servers (paired and URL login) with their state;
// Enter switches. The catalog on screen is saved to its server's cache and the other server's cache
// shown while its session opens; the session left behind stays open (warm) for a minute.
extension AppState {
    /// Keys in the switcher.
    mutating func handleServers(_ key: Key, _ action: Action?) -> [Effect] {
        switch action {
        case .up: serverCursor = max(serverCursor - 1, 0)
        case .down: serverCursor = min(serverCursor + 1, max(servers.count - 1, 0))
        case .open:
            guard servers.indices.contains(serverCursor) else { return [] }
            let target = servers[serverCursor]
            overlay = nil
            guard target.id != serverID else { return [] }
            message = Message("Switching to \(target.name)…")
            return [.saveCache, .switchServer(target.id)]
        case .back, .servers: overlay = nil
        case .quit: return quit()
        default: break
        }
        return []
    }

    /// Another server takes the screen: its cached catalog (or nothing), fresh lists and cursors.
    mutating func switchedServer(id: String, name: String, cached: CachedCatalog?) {
        serverID = id
        serverName = name
        catalog = cached ?? CachedCatalog(savedAt: now)
        cachedAt = cached?.savedAt
        staleParts = cached == nil ? [] : Set(CatalogPart.allCases)
        showDetails = [:]
        episodes = [:]
        itemFiles = [:]
        detailAskedAt = [:]
        paneItem = nil
        playMenu = nil
        devices = nil
        serverResults = nil
        serverQuery = nil
        cursors = [:]
        homeFocus = .continueWatching
        connection = nil
        throughput = nil
        throughputBase = nil
        marksInFlight = []
        markFailures = 0
        markRetryAt = nil
        loading = []
        stack = [.home]
        rebuildViews()
    }
}
