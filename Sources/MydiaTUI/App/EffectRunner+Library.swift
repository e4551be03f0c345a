import Foundation
import MydiaAPI
import MydiaClient
import MydiaConnection
import Logging
import Synchronization

// The browsing effects: the Next up rail, watched marks, and the server switcher with its warm
// sessions (a server left is kept open for a minute, so switching back is instant).
extension EffectRunner {
    /// How long a session left by the switcher stays open.
    static let warmFor: Duration = .seconds(60)

    /// Next up loads beside the other rails; a server without it (or failing) leaves the rail empty
    /// rather than failing home.
    func loadNextUp() {
        guard let api = session?.api else { return }
        Task {
            do {
                post.yield(.loaded(.nextUp(try await api.upNext(first: 20))))
            } catch {
                logger.notice("next up not loaded", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Sends one watched mark; the answer comes back as `markStored` or `markFailed`.
    func send(_ mark: WatchMark) {
        guard let api = session?.api else {
            post.yield(.markFailed(mark, "Not connected to the server.", permanent: false))
            return
        }
        Task {
            do {
                switch mark.target {
                case .movie(let id): try await api.markMovieWatched(movieId: id, watched: mark.watched)
                case .episode(let id): try await api.markEpisodeWatched(episodeId: id, watched: mark.watched)
                case .season(let show, let n): try await api.markSeasonWatched(showId: show, seasonNumber: n, watched: mark.watched)
                }
                post.yield(.markStored(mark))
            } catch {
                logger.notice("watched mark not stored", metadata: ["error": "\(error)"])
                // The server answered and refused (the item is gone): sending again will not help.
                let permanent = if case APIClient.Error.graphQL = error { true } else { false }
                post.yield(.markFailed(mark, Self.sentence(error), permanent: permanent))
            }
        }
    }

    /// Lists the stored servers with their state.
    func listServers() {
        Task {
            let stored = await store.allServers
            let (current, warm) = live.withLock { l in (l.session?.server.id, Set(l.warm.keys)) }
            post.yield(.servers(stored.map { Self.entry($0, current: current, warm: warm) }))
        }
    }

    static func entry(_ server: StoredServer, current: String?, warm: Set<String>) -> ServerEntry {
        let state: ServerEntry.State = server.id == current ? .current : warm.contains(server.id) ? .warm : .stored
        switch server {
        case .paired(let c):
            return ServerEntry(id: server.id, name: server.name, kind: .paired, address: c.relayURL, state: state)
        case .login(let l):
            return ServerEntry(id: server.id, name: server.name, kind: .login, address: l.baseURL, state: state)
        }
    }

    /// Parks the session in use (warm for a minute), shows the other server's cache and opens it —
    /// or takes its warm session back.
    func switchServer(to id: String) {
        Task {
            guard let server = await store.allServers.first(where: { $0.id == id }) else {
                post.yield(.sessionFailed("That server is no longer stored — list them again with S."))
                return
            }
            if playback != nil, live.withLock({ $0.playing }) != nil { await playback?.stop() }
            let (reused, parkedOld) = live.withLock { l -> (ClientSession?, Bool) in
                l.snapshots?.cancel()
                l.snapshots = nil
                var parked = false
                if let old = l.session, old.server.id != id {
                    let closer = Task { [weak self] in
                        try? await Task.sleep(for: Self.warmFor)
                        guard !Task.isCancelled, let self else { return }
                        let expired = self.live.withLock { l in l.warm.removeValue(forKey: old.server.id) }
                        await expired?.session.close()
                    }
                    l.warm[old.server.id] = (old, closer)
                    parked = true
                }
                l.session = nil
                let warm = l.warm.removeValue(forKey: id)
                warm?.closer.cancel()
                return (warm?.session, parked)
            }
            logger.info("server switch", metadata: ["warm": "\(reused != nil)", "parked": "\(parkedOld)"])
            post.yield(.serverSwitching(id: id, name: server.name, cached: cache.load(instanceID: id)))
            if let reused { await adopt(reused) } else { open(selection: id) }
        }
    }

    /// Makes a warm session the one in use again.
    private func adopt(_ session: ClientSession) async {
        let follow = Task { [post] in
            for await snapshot in await session.manager.snapshots() { post.yield(.connection(snapshot)) }
        }
        live.withLock { l in
            l.session = session
            l.snapshots = follow
        }
        await playback?.use(session)
        post.yield(.connection(await session.manager.snapshot()))
        switch session.server {
        case .paired(let credentials):
            post.yield(.sessionOpened(serverName: credentials.instanceName, relay: credentials.relayURL, deviceID: credentials.deviceID))
        case .login(let login):
            post.yield(.loginSessionOpened(serverName: login.name, url: login.baseURL))
        }
    }
}
