import MydiaCrypto
import Synchronization

/// The sealed-claim store (PROTOCOL.md §3.2, §12.6, §12.7): lookup key → sealed claim, first writer
/// wins, entries expire, DELETE needs the owner's secret. In memory only: claims live 300 s. The
/// default ``ClaimBackend``; a fleet keeps its claims in ``FleetStore`` instead (§15).
final class ClaimStore: ClaimBackend {

    private struct Entry {
        var sealed: String
        var owner: [UInt8]
        var expires: ContinuousClock.Instant
    }

    private let entries = Mutex([String: Entry]())
    private let lifetime: Duration
    private let capacity: Int
    private let clock: RelayClock

    init(lifetime: Duration, capacity: Int, clock: RelayClock) {
        self.lifetime = lifetime
        self.capacity = capacity
        self.clock = clock
    }

    /// Stores a claim unless a live one already holds `lookupKey` (§12.6a).
    /// - Parameter owner: hex(SHA-256(delete_secret)), already validated.
    func publish(lookupKey: String, sealed: String, owner: String) -> ClaimPublishResult {
        let now = clock.now()
        let ownerBytes = Encoding.fromHex(owner) ?? []
        return entries.withLock { e in
            if let existing = e[lookupKey], existing.expires > now { return .conflict }
            if e.count >= capacity {
                e = e.filter { $0.value.expires > now }
                if e.count >= capacity { return .full }
            }
            e[lookupKey] = Entry(sealed: sealed, owner: ownerBytes, expires: now + lifetime)
            return .created
        }
    }

    /// The live sealed claim for `lookupKey`, if any.
    func lookup(_ lookupKey: String) -> ClaimLookupResult {
        let now = clock.now()
        return entries.withLock { e in
            guard let entry = e[lookupKey] else { return .notFound }
            guard entry.expires > now else {
                e[lookupKey] = nil
                return .notFound
            }
            return .found(entry.sealed)
        }
    }

    /// Deletes the claim if SHA-256(`deleteSecret`) equals its owner, compared in constant time.
    func delete(lookupKey: String, deleteSecret: String) -> ClaimDeleteResult {
        let now = clock.now()
        let presented = SHA256.hash(Array(deleteSecret.utf8))
        return entries.withLock { e in
            guard let entry = e[lookupKey], entry.expires > now else {
                e[lookupKey] = nil
                return .notFound
            }
            guard ConstantTime.equals(presented, entry.owner) else { return .forbidden }
            e[lookupKey] = nil
            return .deleted
        }
    }

    /// Drops expired entries.
    func prune() {
        let now = clock.now()
        entries.withLock { e in e = e.filter { $0.value.expires > now } }
    }

    /// Live entries (for tests and logs).
    var count: Int { entries.withLock { $0.count } }
}
