import Foundation
public import Logging
public import MydiaAPI
import MydiaClient
import MydiaConnection
import MydiaSystem

/// The running TUI: one event loop owns the `AppState`; the terminal thread, the connection
/// manager, loads, pairing, playback, signals and a one-second tick all post `AppEvent`s into it.
/// After each event the state is rendered and the frame handed to the terminal.
public final class TUIApp: Sendable {
    /// How to start.
    public struct Options: Sendable {
        /// Which paired server (`--server`), `nil` = the last paired.
        public var server: String?
        /// The relay the pairing form starts with.
        public var relay: String
        /// This device's name when pairing.
        public var deviceName: String
        /// Settings from config.toml.
        public var config: TUIConfig
        /// The catalog cache.
        public var cache: CatalogCache
        /// The environment (`NO_COLOR`, `TERM`).
        public var environment: [String: String]

        /// Options.
        public init(server: String?, relay: String, deviceName: String, config: TUIConfig, cache: CatalogCache, environment: [String: String]) {
            self.server = server
            self.relay = relay
            self.deviceName = deviceName
            self.config = config
            self.cache = cache
            self.environment = environment
        }
    }

    private let options: Options
    private let store: CredentialStore
    private let playback: (any PlaybackController)?
    private let logger: Logger

    /// An app; `playback` is `nil` when no player is wired in (the UI says so on Enter).
    public init(options: Options, store: CredentialStore, playback: (any PlaybackController)?, logger: Logger) {
        self.options = options
        self.store = store
        self.playback = playback
        self.logger = logger
    }

    /// The selected server of either kind — paired, or logged in to by URL (PROTOCOL.md §14.2) —
    /// or `nil` on first run (nothing stored and no `--server` given).
    private func selectServer() async throws -> StoredServer? {
        if await store.allServers.isEmpty && options.server == nil { return nil }
        return try await store.selectServer(options.server)
    }

    /// Runs until the user quits or a signal arrives; the terminal is restored on every way out.
    /// Throws before touching the terminal when the server selection is wrong or there is no terminal.
    public func run() async throws {
        let server = try await selectServer()
        let cached = server.flatMap { options.cache.load(instanceID: $0.id) }
        let (events, post) = AsyncStream<AppEvent>.makeStream()
        // Signals first: curses then keeps its own handlers off SIGINT/SIGTERM.
        let signals = SignalTrap([SIGINT, SIGTERM, SIGHUP]) { _ in post.yield(.terminate) }
        // Asked before curses owns the terminal (its answers would otherwise arrive as keys).
        let graphics = GraphicsCapability.resolve(options.config.images, environment: options.environment) { GraphicsCapability.askTerminal() }
        let terminal: Terminal
        do { terminal = try Terminal(theme: options.config.theme, environment: options.environment, mouse: options.config.mouse) } catch {
            signals.cancel()
            throw error
        }
        let posters = PosterSettings.forTerminal(mode: graphics, colorLevel: terminal.colorLevel, environment: options.environment)
        let fetcher = posters.mode == .off ? nil : ArtworkFetcher(cache: ImageCache(
            directory: options.cache.directory.appendingPathComponent("artwork", isDirectory: true),
            capacity: options.config.imageCacheMB << 20, logger: logger))
        let runner = EffectRunner(store: store, playback: playback, cache: options.cache, deviceName: options.deviceName, logger: logger,
                                  post: post, artwork: fetcher)

        var state = AppState(rows: terminal.initialSize.rows, columns: terminal.initialSize.columns, keyMap: options.config.keyMap,
                             paired: server != nil, cached: cached, playbackAvailable: playback != nil, relay: options.relay)
        state.resumeMode = options.config.resume
        state.subtitleLanguage = options.config.subtitleLanguage
        state.mouseEnabled = options.config.mouse
        state.artwork = ArtworkShelf(settings: posters)
        if let server {
            state.serverName = server.name
            state.serverID = server.id
            switch server {
            case .paired(let credentials): state.relayOrigin = credentials.relayURL
            case .login(let login): state.loginURL = login.baseURL
            }
        }
        terminal.show(Renderer.frame(state))
        logger.info("tui started", metadata: ["server": "\(server?.kind.rawValue ?? "none")", "cached": "\(cached != nil)",
                                              "colors": "\(terminal.colorLevel)"])

        let keys = Task {
            for await event in terminal.events {
                switch event {
                case .key(let key): post.yield(.key(key))
                case .resize(let rows, let columns): post.yield(.resize(rows: rows, columns: columns))
                case .mouse(let event): post.yield(.mouse(event))
                }
            }
            post.yield(.terminate)  // the terminal went away
        }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                post.yield(.tick(Date()))
                if let snapshot = await runner.currentSnapshot() { post.yield(.connection(snapshot)) }
            }
        }
        if let server { runner.open(selection: server.id) }

        for await event in events {
            let effects = state.reduce(event)
            for effect in effects { runner.run(effect, state: state) }
            if state.quitting { break }
            terminal.show(Renderer.frame(state))
        }
        ticker.cancel()
        keys.cancel()
        signals.cancel()
        await terminal.stop()
        await runner.shutdown(catalog: state.catalog)
        logger.info("tui stopped")
    }
}
