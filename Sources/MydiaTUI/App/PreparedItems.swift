import MydiaConnection
import MydiaPlayback
import Synchronization

/// Movies and episodes looked up when the detail pane opened on them, kept a short while so Enter
/// starts playback without looking them up again (issue 20: instant start; the lookup also warms
/// the relay tunnel). An entry older than `lifetime` is not used: progress and files may have moved.
final class PreparedItems: Sendable {
    private struct Entry {
        var item: PlaybackItem
        var server: String
        var at: Duration
    }

    /// How long a lookup stays usable (30 s).
    static let lifetime: Duration = .seconds(30)

    private let clock: ManagerClock
    private let lifetime: Duration
    /// Guarded by the mutex; a handful of entries at most (pruned on every store).
    private let entries = Mutex<[String: Entry]>([:])

    /// - Parameters:
    ///   - clock: when entries were stored and how old they are (a test clock in tests).
    init(clock: ManagerClock = ManagerClock(ContinuousClock()), lifetime: Duration = PreparedItems.lifetime) {
        self.clock = clock
        self.lifetime = lifetime
    }

    /// Keeps `item` (under its own id), as the stored server `server` described it, from now on.
    func store(_ item: PlaybackItem, server: String) {
        let now = clock.now()
        entries.withLock { entries in
            entries = entries.filter { now - $0.value.at < lifetime }
            entries[item.reference.id] = Entry(item: item, server: server, at: now)
        }
    }

    /// The item with `id` from `server` if it was looked up less than `lifetime` ago (another
    /// server's item of the same id is not it: ids are only unique per server).
    func fresh(_ id: String, server: String?) -> PlaybackItem? {
        let now = clock.now()
        return entries.withLock { entries in
            guard let entry = entries[id], entry.server == server, now - entry.at < lifetime else { return nil }
            return entry.item
        }
    }
}
