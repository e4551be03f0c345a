import Foundation
import Logging
import MydiaAPI
import MydiaClient
import MydiaConnection
import MydiaPlayback
import Synchronization

/// Runs the reducer's effects against the real world — the API over the connection manager,
/// pairing, playback, the cache — and posts what happened back as events. Every effect runs in
/// its own task, so the event loop never waits on the network.
final class EffectRunner: Sendable {
    /// The open session and the tasks that follow it.
    struct Live {
        var session: ClientSession?
        var snapshots: Task<Void, Never>?
        var playing: Task<Void, Never>?
        /// A URL login in progress.
        var login: Task<Void, Never>?
        /// Sessions left by the server switcher less than a minute ago, by server id, with the
        /// task that closes each when its minute is up.
        var warm: [String: (session: ClientSession, closer: Task<Void, Never>)] = [:]
        /// The download running (one at a time; `d`), and the token of the one that owns the slot.
        var download: Task<Void, Never>?
        var downloadToken: UUID?
    }

    let store: CredentialStore
    let playback: (any PlaybackController)?
    let cache: CatalogCache
    private let deviceName: String
    let logger: Logger
    let post: AsyncStream<AppEvent>.Continuation
    /// Guarded by the lock.
    let live = Mutex(Live())
    /// Where a running login waits for its second factor.
    let handoff = LoginCodeHandoff()
    /// Poster fetches (`nil`: posters are off).
    private let artwork: ArtworkLoader?
    /// Movies and episodes the detail pane looked up, for Enter to start without looking again.
    let prepared: PreparedItems
    private static let pageSize = 100

    init(store: CredentialStore, playback: (any PlaybackController)?, cache: CatalogCache, deviceName: String, logger: Logger,
         post: AsyncStream<AppEvent>.Continuation, artwork: ArtworkFetcher? = nil, prepared: PreparedItems = PreparedItems()) {
        self.prepared = prepared
        self.artwork = artwork.map { ArtworkLoader(fetcher: $0, post: { post.yield($0) }) }
        self.store = store
        self.playback = playback
        self.cache = cache
        self.deviceName = deviceName
        self.logger = logger
        self.post = post
    }

    var session: ClientSession? { live.withLock { $0.session } }

    /// Opens the session to a stored server of either kind (by its id: a paired instance, or a
    /// URL login — direct only) and follows its connection snapshots.
    func open(selection id: String) {
        Task {
            do {
                let session = try await ClientSession.open(store: store, selection: id, logger: logger)
                let follow = Task {
                    for await snapshot in await session.manager.snapshots() { post.yield(.connection(snapshot)) }
                }
                let (previous, previousFollow) = live.withLock { l in
                    defer { l.session = session; l.snapshots = follow }
                    return (l.session, l.snapshots)
                }
                previousFollow?.cancel()
                await previous?.close()
                await playback?.use(session)
                switch session.server {
                case .paired(let credentials):
                    post.yield(.sessionOpened(serverName: credentials.instanceName, relay: credentials.relayURL, deviceID: credentials.deviceID))
                case .login(let login):
                    post.yield(.loginSessionOpened(serverName: login.name, url: login.baseURL))
                }
            } catch {
                logger.warning("session open failed", metadata: ["error": "\(error)"])
                post.yield(.sessionFailed(Self.sentence(error)))
            }
        }
    }

    /// The connection manager's current snapshot, if a session is open.
    func currentSnapshot() async -> ConnectionSnapshot? {
        guard let session else { return nil }
        return await session.manager.snapshot()
    }

    /// Starts one effect. `state` is the state right after the reducer produced it.
    func run(_ effect: Effect, state: AppState) {
        switch effect {
        case .quit:
            return
        case .sendMark(let mark):
            send(mark)
        case .listServers:
            listServers()
        case .switchServer(let id):
            switchServer(to: id)
        case .loadArtwork(let request):
            guard let artwork else { return }
            let api = session?.api
            Task { await artwork.submit(request, api: api) }
        case .saveCache:
            guard let id = session?.server.id else { return }
            let catalog = state.catalog
            let cache = self.cache
            let logger = self.logger
            Task.detached(priority: .utility) {
                do { try cache.save(catalog, instanceID: id) } catch { logger.warning("cache not saved", metadata: ["error": "\(error)"]) }
            }
        case .pair(let code, let relay):
            pair(code: code, relay: relay)
        case .login(let attempt):
            login(attempt)
        case .loginCode(let code):
            deliverCode(code)
        case .cancelLogin:
            handoff.cancel()
        case .probe:
            guard let manager = session?.manager else { return }
            Task {
                // While direct, "probe now" re-checks the direct URL (and drops it if it no longer answers).
                if await manager.currentState == .direct { await manager.networkChanged() } else { await manager.probeNow() }
            }
        case .play(let request):
            play(request)
        case .loadRememberedTracks(let showID):
            guard let playback else { return }
            Task { [post] in post.yield(.rememberedTracks(showID: showID, await playback.rememberedTracks(forShow: showID))) }
        case .fetchAndPlay(let kind, let id):
            load(.item(id)) { api in
                let request: PlaybackRequest?
                switch kind {
                case .movie:
                    request = try await api.movie(id: id).flatMap { m in m.files.first.map { PlaybackRequest(kind: .movie, itemID: m.id, fileID: $0.id, title: m.title) } }
                default:
                    request = try await api.episode(id: id).flatMap { e in
                        e.files.first.map { PlaybackRequest(kind: .episode, itemID: e.id, fileID: $0.id, title: "\(AppState.episodeCode(e.seasonNumber, e.episodeNumber)) \(e.displayTitle)") }
                    }
                }
                guard let request else { return .playbackFailed("That item has no playable file on the server.") }
                self.play(request)
                return nil
            }
        case .stopPlayback:
            guard let playback else { return }
            Task { await playback.stop() }
        case .cancelCountdown:
            guard let playback else { return }
            Task { await playback.cancelCountdown() }
        case .cycleTrack(let kind):
            guard let playback else { return }
            Task { [post] in
                if let line = await playback.cycleTrack(kind) { post.yield(.notice(line, isError: false)) }
            }
        case .download(let id, let title):
            download(id: id, title: title)
        case .loadHome:
            load(.home) { api in
                async let cw = api.continueWatching(first: 20)
                async let recent = api.recentlyAdded(first: 20)
                return .loaded(.home(continueWatching: try await cw, recentlyAdded: try await recent))
            }
            loadNextUp()
        case .loadMovies(let after):
            let sort = state.options(.movies).sort
            load(.movies) { .loaded(.movies(try await $0.movies(first: Self.pageSize, after: after, sort: sort), replacing: after == nil)) }
        case .loadShows(let after):
            let sort = state.options(.shows).sort
            load(.shows) { .loaded(.shows(try await $0.tvShows(first: Self.pageSize, after: after, sort: sort), replacing: after == nil)) }
        case .loadShow(let id):
            load(.show(id)) { api in
                guard let show = try await api.tvShow(id: id) else { return .loadFailed(.show(id), "That show is no longer on the server.") }
                return .loaded(.show(show))
            }
        case .loadSeason(let key):
            load(.season(key)) { .loaded(.season(key, try await $0.seasonEpisodes(showId: key.showID, seasonNumber: key.season))) }
        case .search(let query):
            load(.search) { api in
                let result = try await api.search(query, first: 50)
                return .loaded(.search(query: query, result.sections.flatMap { $0.results.map(SearchHit.init) }))
            }
        case .loadDevices:
            load(.devices) { .loaded(.devices(try await $0.devices())) }
        case .loadDetail(let kind, let id):
            let server = session?.server.id
            load(.detail(id)) { [prepared] api in
                // The same lookup a start makes: kept a short while, so Enter skips it (issue 20).
                let item: PlaybackItem? = kind == .movie ? try await api.movie(id: id).map { .movie($0) } : try await api.episode(id: id).map { .episode($0) }
                if let item, let server { prepared.store(item, server: server) }
                return .loaded(.detail(id: id, files: item?.files ?? []))
            }
        }
    }

    /// Runs an API call and posts its event; failures become one-sentence `loadFailed` events.
    private func load(_ kind: LoadKind, _ body: @escaping @Sendable (APIClient) async throws -> AppEvent?) {
        guard let api = session?.api else {
            post.yield(.loadFailed(kind, "Not connected to the server yet — the last catalog stays on screen."))
            return
        }
        Task {
            do {
                if let event = try await body(api) { post.yield(event) }
            } catch {
                logger.notice("load failed", metadata: ["what": "\(kind)", "error": "\(error)"])
                post.yield(.loadFailed(kind, Self.sentence(error)))
            }
        }
    }

    private func pair(code: String, relay: String) {
        Task {
            do {
                let credentials = try await Pairing.pair(
                    code: code, relay: relay, deviceName: deviceName, store: store, logger: logger,
                    progress: { [post] step in
                        let progress: PairingForm.Progress = switch step {
                        case .lookingUp: .lookingUp
                        case .connecting(let name): .connecting(name)
                        case .securing: .securing
                        case .pairingCheck(let check): .check(check)
                        case .paired(let name): .paired(name)
                        }
                        post.yield(.pairingProgress(progress))
                    })
                open(selection: credentials.instanceID)
            } catch {
                logger.notice("pairing failed", metadata: ["error": "\(error)"])
                post.yield(.pairingFailed(Self.sentence(error)))
            }
        }
    }

    private func play(_ request: PlaybackRequest) {
        guard let playback else {
            post.yield(.playbackFailed("Playback is not available in this build — use another client to play."))
            return
        }
        let server = session?.server.id
        let task = Task { [post] in
            do {
                // The detail pane's lookup of the item, if it is fresh: the start skips its own.
                let item = prepared.fresh(request.itemID, server: server)
                for await update in try await playback.play(request, prepared: item) { post.yield(.playback(update)) }
            } catch {
                post.yield(.playbackFailed(Self.sentence(error)))
            }
        }
        let old = live.withLock { l -> Task<Void, Never>? in defer { l.playing = task }; return l.playing }
        old?.cancel()
    }

    /// Stops playback, saves the catalog and closes the session.
    func shutdown(catalog: CachedCatalog) async {
        let (session, snapshots, playing, login, warm, download) = live.withLock { l in
            defer { l = Live() }
            return (l.session, l.snapshots, l.playing, l.login, l.warm, l.download)
        }
        for (_, parked) in warm {
            parked.closer.cancel()
            await parked.session.close()
        }
        login?.cancel()
        handoff.cancel()
        download?.cancel()  // the partial file stays for a resume
        if playing != nil, let playback { await playback.stop() }
        playing?.cancel()
        snapshots?.cancel()
        if let session {
            var catalog = catalog
            catalog.savedAt = Date()
            try? cache.save(catalog, instanceID: session.server.id)
            await session.close()
        }
    }

    /// One sentence for the info line: the error's own description (every error type of the
    /// client layers has one), without a trailing newline.
    static func sentence(_ error: any Error) -> String {
        String(describing: error).split(separator: "\n").first.map(String.init) ?? "Something went wrong."
    }
}
