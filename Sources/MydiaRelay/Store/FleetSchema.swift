import Logging
import PostgresNIO

/// The fleet's tables (PROTOCOL.md §15), created or brought up to date when a node starts. Nodes
/// that start together serialise on an advisory lock; `relay_schema_version` says what is in place.
///
/// - `relay_claims`: sealed claims, first writer wins, expiry by `expires_at`, owner = SHA-256 of
///   the delete secret (§12.6, §12.7); since version 2 also the node that accepted it, whose live
///   claims count against that node's ``RelayLimits/maxClaims``.
/// - `relay_instances`: one row per instance id: the bound key (§12.2) and its presence, the node
///   its socket is on and when that node last vouched for it. `node_url` is NULL once it left.
enum FleetSchema {
    /// The version this build writes and reads.
    static let version = 2

    /// Any number of nodes may run this at once; only the first to take the lock changes anything.
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.withTransaction(logger: logger) { c in
            try await c.query("SELECT pg_advisory_xact_lock(7415021)", logger: logger)
            try await c.query("CREATE TABLE IF NOT EXISTS relay_schema_version (version integer NOT NULL)", logger: logger)
            var current = 0
            for try await v in try await c.query("SELECT coalesce(max(version), 0) FROM relay_schema_version", logger: logger).decode(Int.self) {
                current = v
            }
            guard current < version else {
                if current > version { throw StoreUnavailable.failed("the database schema is version \(current), newer than this relay's \(version)") }
                return
            }
            if current < 1 {
                try await c.query("""
                    CREATE TABLE relay_claims (
                        lookup_key text PRIMARY KEY,
                        sealed text NOT NULL,
                        owner bytea NOT NULL,
                        expires_at timestamptz NOT NULL)
                    """, logger: logger)
                try await c.query("CREATE INDEX relay_claims_expires_at ON relay_claims (expires_at)", logger: logger)
                try await c.query("""
                    CREATE TABLE relay_instances (
                        instance_id text PRIMARY KEY,
                        public_key bytea NOT NULL,
                        node_url text,
                        seen_at timestamptz NOT NULL)
                    """, logger: logger)
                try await c.query("CREATE INDEX relay_instances_seen_at ON relay_instances (seen_at)", logger: logger)
            }
            if current < 2 {
                // Claims written by version-1 nodes have no node and count against no quota.
                try await c.query("ALTER TABLE relay_claims ADD COLUMN node_url text", logger: logger)
                try await c.query("CREATE INDEX relay_claims_node_expires_at ON relay_claims (node_url, expires_at)", logger: logger)
            }
            try await c.query("DELETE FROM relay_schema_version", logger: logger)
            try await c.query("INSERT INTO relay_schema_version (version) VALUES (\(version))", logger: logger)
            logger.notice("fleet database schema migrated", metadata: ["from": "\(current)", "to": "\(version)"])
        }
    }
}
