import Foundation
public import Logging
public import MydiaAPI
public import MydiaConnection

/// A paired server, connected: the ConnectionManager (relay first, direct when it answers) and
/// the API client on top of it.
public struct ClientSession: Sendable {
    public let credentials: ServerCredentials
    public let manager: ConnectionManager
    public let api: APIClient
    private let watcher: Task<Void, Never>
    private let discovery: Task<Void, Never>

    /// Opens the server picked by `selection` (name, id or nil = the last paired). With
    /// `discovery` enabled, the LAN is browsed for the server and what is found becomes direct
    /// candidates (PROTOCOL.md §9), still pinned. The default follows `MYDIA_DISCOVERY`
    /// (``DiscoveryOptions/fromEnvironment(_:)``).
    public static func open(store: CredentialStore, selection: String?, discovery options: DiscoveryOptions = .fromEnvironment(),
                            logger: Logger) async throws -> ClientSession {
        let credentials = try await store.select(selection)
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
        return ClientSession(credentials: credentials, manager: manager, api: api, watcher: watcher, discovery: discovery)
    }

    public func close() async {
        watcher.cancel()
        discovery.cancel()
        await manager.stop()
    }
}
