import Logging
import MydiaCrypto
import NIOCore
import PostgresNIO
import Synchronization

/// A fleet node's view of the shared PostgreSQL database (PROTOCOL.md §15): sealed claims, instance
/// bindings and presence. Every call is bounded by ``FleetConfiguration/queryTimeout``; a database
/// that does not answer yields `.unavailable` (never a crash, never an old answer served as truth),
/// and the pool reconnects by itself when the database is back.
final class FleetStore: ClaimBackend {
    /// Outcome of ``bind(instanceID:publicKey:)``.
    enum BindResult: Equatable, Sendable {
        /// The id is bound to this key and its presence names this node.
        case bound
        /// The id is bound to another key that is still within its retention (§12.2).
        case conflict
        /// The database did not answer: the binding cannot be proven either way.
        case unavailable
    }

    /// Outcome of ``locate(instanceID:)``: where a client asking this node should go.
    enum Location: Equatable, Sendable {
        /// Another live node holds the instance's socket (`moved`, §15).
        case elsewhere(String)
        /// Bound, but no node has vouched for it within the presence lifetime.
        case offline
        /// No binding at all.
        case notFound
        /// The database did not answer.
        case unavailable
    }

    private struct Presence: Sendable {
        var node: String?
        var live: Bool
        var bound: Bool
    }

    let configuration: FleetConfiguration
    private let claimLifetime: Duration
    private let claimCapacity: Int
    private let client: PostgresClient
    private let logger: Logger
    private let ready = Mutex(false)
    private let lastPrune = Mutex<ContinuousClock.Instant?>(nil)
    private let queryCount = Atomic<Int>(0)

    /// - Parameters:
    ///   - claimLifetime: how long a published claim lives (§3.2: 300 s).
    ///   - claimCapacity: live claims this node accepts at most (``RelayLimits/maxClaims``, the bound
    ///     of the in-memory store, kept per node as rate limits are, §15).
    init(configuration: FleetConfiguration, claimLifetime: Duration, claimCapacity: Int, logger: Logger) {
        self.configuration = configuration
        self.claimLifetime = claimLifetime
        self.claimCapacity = claimCapacity
        self.logger = logger
        let db = configuration.database
        var pg: PostgresClient.Configuration
        if let socket = db.socketPath {
            pg = .init(unixSocketPath: socket, username: db.user, password: db.password, database: db.database)
        } else {
            let tls: PostgresClient.Configuration.TLS = switch db.tls {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
            pg = .init(host: db.host ?? "127.0.0.1", port: db.port, username: db.user, password: db.password, database: db.database, tls: tls)
        }
        let timeoutMS = Int(configuration.queryTimeout.components.seconds * 1000 + configuration.queryTimeout.components.attoseconds / 1_000_000_000_000_000)
        pg.options.maximumConnections = configuration.poolSize
        pg.options.minimumConnections = 1
        pg.options.connectTimeout = configuration.queryTimeout
        // The server ends a statement that outlives the client's own deadline, too.
        pg.options.additionalStartupParameters = [("statement_timeout", "\(timeoutMS)"), ("application_name", "mydia-relay")]
        var background = logger
        background.logLevel = max(logger.logLevel, .warning)
        client = PostgresClient(configuration: pg, backgroundLogger: background)
    }

    /// Queries sent so far (the load bench reports queries per connect).
    var queriesSent: Int { queryCount.load(ordering: .relaxed) }

    /// `true` once the schema is in place; until then every call answers `.unavailable`.
    var isReady: Bool { ready.withLock { $0 } }

    // MARK: Running

    /// Runs the pool, brings the schema up to date (retrying while the database is unreachable),
    /// then refreshes this node's presence rows every ``FleetConfiguration/presenceRefresh``. Returns
    /// when the task is cancelled.
    func run(hub: RelayHub) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.client.run() }
            group.addTask {
                await self.migrateUntilDone()
                while !Task.isCancelled {
                    try? await Task.sleep(for: self.configuration.presenceRefresh)
                    if Task.isCancelled { break }
                    await self.refreshPresence(hub: hub)
                }
            }
            _ = await group.next()
            group.cancelAll()
        }
    }

    private func migrateUntilDone() async {
        var warned = false
        while !Task.isCancelled {
            do {
                try await StoreDeadline.run(within: configuration.queryTimeout * 4) { [client, logger] in
                    try await client.withConnection { try await FleetSchema.migrate($0, logger: logger) }
                }
                ready.withLock { $0 = true }
                logger.notice("fleet database ready", metadata: ["node_url": "\(configuration.nodeURL)"])
                return
            } catch {
                if !warned {
                    logger.error("the fleet database is unreachable; new pairings and cross-node lookups fail until it answers", metadata: ["why": "\(Self.describe(error))"])
                    warned = true
                }
                try? await Task.sleep(for: configuration.retryInterval)
            }
        }
    }

    /// Rewrites `seen_at` for every instance on this node; an instance whose row now names another
    /// node registered there since (a proven register elsewhere wins, §12.2), so its socket here
    /// is closed.
    func refreshPresence(hub: RelayHub) async {
        let ids = hub.onlineInstanceIDs()
        guard !ids.isEmpty else { return }
        do {
            let kept: [String] = try await rows(
                """
                UPDATE relay_instances SET seen_at = now(), node_url = \(configuration.nodeURL)
                WHERE instance_id = ANY(\(ids)) AND (node_url = \(configuration.nodeURL) OR node_url IS NULL)
                RETURNING instance_id
                """, as: String.self)
            let keptSet = Set(kept)
            for id in ids where !keptSet.contains(id) {
                logger.info("instance registered on another node; closing its socket here", metadata: ["instance_id": "\(id)"])
                hub.retire(instanceID: id)
            }
        } catch {
            logger.warning("could not refresh presence", metadata: ["why": "\(Self.describe(error))"])
        }
    }

    // MARK: Bindings and presence

    /// Binds `instanceID` to `publicKey` (first writer wins, §12.2) and records this node as its
    /// home, in one statement. A row whose presence and retention have both run out is taken over.
    func bind(instanceID: String, publicKey: [UInt8]) async -> BindResult {
        let key = ByteBuffer(bytes: publicKey)
        let retention = Self.seconds(configuration.bindingRetention)
        do {
            let bound: [String] = try await rows(
                """
                INSERT INTO relay_instances AS i (instance_id, public_key, node_url, seen_at)
                VALUES (\(instanceID), \(key), \(configuration.nodeURL), now())
                ON CONFLICT (instance_id) DO UPDATE
                SET public_key = EXCLUDED.public_key, node_url = EXCLUDED.node_url, seen_at = now()
                WHERE i.public_key = EXCLUDED.public_key OR i.seen_at < now() - make_interval(secs => \(retention))
                RETURNING instance_id
                """, as: String.self)
            return bound.isEmpty ? .conflict : .bound
        } catch {
            logger.warning("could not check an instance binding", metadata: ["instance_id": "\(instanceID)", "why": "\(Self.describe(error))"])
            return .unavailable
        }
    }

    /// The instance's socket on this node is gone: its row stops naming this node; the binding's
    /// retention runs from now.
    func markOffline(instanceID: String) async {
        do {
            try await execute(
                """
                UPDATE relay_instances SET node_url = NULL, seen_at = now()
                WHERE instance_id = \(instanceID) AND node_url = \(configuration.nodeURL)
                """)
        } catch {
            // The row names this node until its presence runs out (90 s), then reads as offline.
            logger.warning("could not clear presence", metadata: ["instance_id": "\(instanceID)", "why": "\(Self.describe(error))"])
        }
    }

    /// Where an instance that is not connected to this node is.
    func locate(instanceID: String) async -> Location {
        let presence = Self.seconds(configuration.presenceLifetime)
        let retention = Self.seconds(configuration.bindingRetention)
        do {
            let found: [Presence] = try await rows(
                """
                SELECT node_url, seen_at > now() - make_interval(secs => \(presence)),
                       seen_at > now() - make_interval(secs => \(retention))
                FROM relay_instances WHERE instance_id = \(instanceID)
                """
            ) { row in
                let (node, live, bound) = try row.decode((String?, Bool, Bool).self)
                return Presence(node: node, live: live, bound: bound)
            }
            guard let row = found.first, row.bound else { return .notFound }
            let (node, live) = (row.node, row.live)
            if let node, live, node != configuration.nodeURL { return .elsewhere(node) }
            return .offline
        } catch {
            logger.warning("could not look up an instance's node", metadata: ["instance_id": "\(instanceID)", "why": "\(Self.describe(error))"])
            return .unavailable
        }
    }

    // MARK: Claims (ClaimBackend)

    /// Stores a claim unless a live one holds `lookupKey` (`.conflict`) or this node already holds
    /// ``claimCapacity`` live claims it accepted (`.full`, as the in-memory store answers). One
    /// statement: the quota, the conflict and the insert are read from one snapshot, so concurrent
    /// POSTs on this node can overshoot the quota by at most the pool's size, never grow it without
    /// bound.
    func publish(lookupKey: String, sealed: String, owner: String) async -> ClaimPublishResult {
        guard let ownerBytes = Encoding.fromHex(owner) else { return .conflict }
        let lifetime = Self.seconds(claimLifetime)
        let node = configuration.nodeURL
        do {
            // First writer wins: a live row is never replaced; an expired one is (§12.6a). The
            // quota counts at most `claimCapacity` index entries of this node's live claims.
            let outcome: [(Int, Bool, Bool)] = try await rows(
                """
                WITH quota AS (
                    SELECT count(*) < \(claimCapacity) AS open FROM (
                        SELECT 1 FROM relay_claims WHERE node_url = \(node) AND expires_at > now() LIMIT \(claimCapacity)) AS live),
                taken AS (
                    SELECT EXISTS (SELECT 1 FROM relay_claims WHERE lookup_key = \(lookupKey) AND expires_at > now()) AS live),
                created AS (
                    INSERT INTO relay_claims AS c (lookup_key, sealed, owner, expires_at, node_url)
                    SELECT \(lookupKey), \(sealed), \(ByteBuffer(bytes: ownerBytes)), now() + make_interval(secs => \(lifetime)), \(node)
                    WHERE (SELECT open FROM quota)
                    ON CONFLICT (lookup_key) DO UPDATE
                    SET sealed = EXCLUDED.sealed, owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at, node_url = EXCLUDED.node_url
                    WHERE c.expires_at <= now()
                    RETURNING 1)
                SELECT (SELECT count(*) FROM created)::int, (SELECT live FROM taken), (SELECT open FROM quota)
                """
            ) { row in try row.decode((Int, Bool, Bool).self) }
            guard let row = outcome.first else { return .unavailable }
            if row.0 > 0 { return .created }
            if row.1 || row.2 { return .conflict }
            return .full
        } catch {
            logger.warning("could not store a claim", metadata: ["why": "\(Self.describe(error))"])
            return .unavailable
        }
    }

    func lookup(_ lookupKey: String) async -> ClaimLookupResult {
        do {
            let sealed: [String] = try await rows(
                "SELECT sealed FROM relay_claims WHERE lookup_key = \(lookupKey) AND expires_at > now()", as: String.self)
            return sealed.first.map { .found($0) } ?? .notFound
        } catch {
            logger.warning("could not look up a claim", metadata: ["why": "\(Self.describe(error))"])
            return .unavailable
        }
    }

    func delete(lookupKey: String, deleteSecret: String) async -> ClaimDeleteResult {
        let presented = SHA256.hash(Array(deleteSecret.utf8))
        do {
            let owners: [ByteBuffer] = try await rows(
                "SELECT owner FROM relay_claims WHERE lookup_key = \(lookupKey) AND expires_at > now()", as: ByteBuffer.self)
            guard let owner = owners.first else { return .notFound }
            guard ConstantTime.equals(presented, Array(owner.readableBytesView)) else { return .forbidden }
            try await execute("DELETE FROM relay_claims WHERE lookup_key = \(lookupKey) AND owner = \(owner)")
            return .deleted
        } catch {
            logger.warning("could not delete a claim", metadata: ["why": "\(Self.describe(error))"])
            return .unavailable
        }
    }

    /// Deletes expired claims and bindings past retention, at most once a minute per node (the
    /// sweeper calls it every few seconds; reads never return expired rows anyway).
    func prune() async {
        let now = ContinuousClock.now
        let due = lastPrune.withLock { last in
            if let l = last, now - l < .seconds(60) { return false }
            last = now
            return true
        }
        guard due else { return }
        let retention = Self.seconds(configuration.bindingRetention)
        do {
            try await execute("DELETE FROM relay_claims WHERE expires_at <= now()")
            try await execute("DELETE FROM relay_instances WHERE seen_at < now() - make_interval(secs => \(retention))")
        } catch {
            logger.debug("could not prune", metadata: ["why": "\(Self.describe(error))"])
        }
    }

    // MARK: Queries

    private func rows<Row: PostgresDecodable & Sendable>(_ query: PostgresQuery, as type: Row.Type) async throws -> [Row] {
        try await rows(query) { row in try row.decode(Row.self) }
    }

    private func execute(_ query: PostgresQuery) async throws {
        let _: [Int] = try await rows(query) { _ in 0 }
    }

    private func rows<Row: Sendable>(_ query: PostgresQuery, decode: @escaping @Sendable (PostgresRow) throws -> Row) async throws -> [Row] {
        guard isReady else { throw StoreUnavailable.notReady }
        queryCount.add(1, ordering: .relaxed)
        return try await StoreDeadline.run(within: configuration.queryTimeout) { [client, logger] in
            var out: [Row] = []
            for try await row in try await client.query(query, logger: logger) { out.append(try decode(row)) }
            return out
        }
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// One line for the log: PostgresNIO's errors hide the server's message behind `String(reflecting:)`.
    static func describe(_ error: any Error) -> String {
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] { return "\(psql.code): \(message)" }
            return "\(psql.code)"
        }
        return "\(error)"
    }
}
