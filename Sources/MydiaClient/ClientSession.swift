import Foundation
public import Logging
public import MydiaAPI
public import MydiaConnection
import MydiaTransport

/// A server, connected: the ConnectionManager and the API client on top of it. A paired server
/// goes relay first, direct when it answers (PROTOCOL.md §8); a URL-login server has only its
/// direct path (§14.2), in the TLS mode of its login.
public struct ClientSession: Sendable {
    /// The server as stored.
    public let server: StoredServer
    public let manager: ConnectionManager
    public let api: APIClient
    private let watcher: Task<Void, Never>
    private let discovery: Task<Void, Never>?

    /// The paired server's credentials; `nil` for a URL-login server.
    public var credentials: ServerCredentials? { server.credentials }

    /// Opens the server picked by `selection` (name or id of either kind; nil = the newest). For a
    /// paired server with `discovery` enabled, the LAN is browsed for it and what is found becomes
    /// direct candidates (PROTOCOL.md §9), still pinned. The default follows `MYDIA_DISCOVERY`
    /// (``DiscoveryOptions/fromEnvironment(_:)``).
    /// - Throws: `CredentialStore.Error` for a selection that matches nothing; for a URL-login
    ///   server reached by `http://`, `LoginURL.Error` when its host no longer resolves to local
    ///   addresses only.
    public static func open(store: CredentialStore, selection: String?, discovery options: DiscoveryOptions = .fromEnvironment(),
                            logger: Logger) async throws -> ClientSession {
        switch try await store.selectServer(selection) {
        case .paired(let credentials):
            return await openPaired(credentials, store: store, discovery: options, logger: logger)
        case .login(let login):
            return try await openLogin(login, store: store, logger: logger)
        }
    }

    private static func openPaired(_ credentials: ServerCredentials, store: CredentialStore, discovery options: DiscoveryOptions,
                                   logger: Logger) async -> ClientSession {
        let connector = TunnelRelayConnector(store: store, instanceID: credentials.instanceID, logger: logger)
        let manager = ConnectionManager(
            relay: connector,
            direct: PinnedDirectPath(store: store, instanceID: credentials.instanceID),
            configuration: DirectConfiguration(urls: credentials.directURLs.compactMap(URL.init(string:)),
                                               certificateFingerprint: credentials.certFingerprint),
            refreshDirectConfiguration: {
                // A fresh relay handshake: its message 2 carries the current URLs and pin (§11.11, §12.21),
                // and the connector saves them.
                let session = try await connector.connect()
                await session.close()
                guard let fresh = session.directConfiguration else { throw ClientError.notPaired }
                return fresh
            },
            logger: logger)
        await manager.start()
        let api = APIClient(transport: ManagedAPITransport(manager: manager), store: store, instanceID: credentials.instanceID, logger: logger)
        let watcher = Task { await NetworkWatcher(manager: manager).run() }
        let lan = LANDiscovery(options: options, credentials: credentials, manager: manager, logger: logger)
        let discovery = Task { await lan.run() }
        return ClientSession(server: .paired(credentials), manager: manager, api: api, watcher: watcher, discovery: discovery)
    }

    private static func openLogin(_ login: LoginServer, store: CredentialStore, logger: Logger) async throws -> ClientSession {
        let url = try LoginURL(login.baseURL)
        // §14.2.5 again at every start: a name that now resolves off the local network is refused.
        _ = try url.checkTransportPolicy()
        guard let base = URL(string: url.string) else { throw LoginURL.Error.invalid("The stored URL \(login.baseURL) cannot be used — log in again.") }
        let client = try DirectClient(baseURL: url.string, tls: try login.security.directMode())
        let manager = ConnectionManager(
            directOnly: LoginDirectPath(client: client, store: store, loginID: login.id),
            configuration: DirectConfiguration(urls: [base], certificateFingerprint: login.security.pin),
            logger: logger)
        await manager.start()
        let api = APIClient(transport: ManagedAPITransport(manager: manager), store: store, authentication: .login(id: login.id),
                            generation: login.generation, logger: logger)
        let touched = (try? await store.touchLogin(id: login.id)) ?? login
        let watcher = Task { await NetworkWatcher(manager: manager).run() }
        return ClientSession(server: .login(touched), manager: manager, api: api, watcher: watcher, discovery: nil)
    }

    public func close() async {
        watcher.cancel()
        discovery?.cancel()
        await manager.stop()
    }
}
