import MydiaTunnel
import Synchronization

/// One registered instance socket: what clients reach when they `connect` to its id.
final class InstanceLink: Sendable {
    let instanceID: String
    /// The proven static public key (32 bytes).
    let publicKey: [UInt8]
    /// Everything the relay sends on the instance socket.
    let outbox: Outbox
    private let heard: Mutex<ContinuousClock.Instant>
    private let dropLog = Mutex(LogThrottle())

    init(instanceID: String, publicKey: [UInt8], outbox: Outbox, now: ContinuousClock.Instant) {
        self.instanceID = instanceID
        self.publicKey = publicKey
        self.outbox = outbox
        heard = Mutex(now)
    }

    /// Records that the instance sent something (any frame, pings included, §11.2).
    func touch(_ now: ContinuousClock.Instant) { heard.withLock { $0 = now } }
    /// When the instance last sent anything.
    var lastHeard: ContinuousClock.Instant { heard.withLock { $0 } }

    /// `true` at most once per `interval` (drop logging is rate-limited, §12.4).
    func shouldLogDrop(now: ContinuousClock.Instant, interval: Duration) -> Bool { dropLog.withLock { $0.admit(now: now, interval: interval) } }
}

/// One relay session: a client socket joined to an instance socket under a fresh session id.
final class RelaySession: Sendable {
    /// The relay-chosen UUID (lowercase).
    let id: String
    /// The id's 36 ASCII bytes: the instance-socket prefix (§2.1).
    let prefix: [UInt8]
    /// The instance this session reaches.
    let instance: InstanceLink
    /// Everything the relay sends on the client socket (capped at 1 MiB, §12.4).
    let clientOutbox: Outbox
    /// The client's per-IP limit key.
    let clientKey: String
    private let activity: Mutex<ContinuousClock.Instant>
    private let dropLog = Mutex(LogThrottle())

    init(id: String, instance: InstanceLink, clientOutbox: Outbox, clientKey: String, now: ContinuousClock.Instant) {
        self.id = id
        prefix = Array(id.utf8)
        self.instance = instance
        self.clientOutbox = clientOutbox
        self.clientKey = clientKey
        activity = Mutex(now)
    }

    /// Records traffic or a client ping on the session (§11.2).
    func touch(_ now: ContinuousClock.Instant) { activity.withLock { $0 = now } }
    /// When the session last carried anything.
    var lastActivity: ContinuousClock.Instant { activity.withLock { $0 } }

    /// `true` at most once per `interval` (drop logging is rate-limited, §12.4).
    func shouldLogDrop(now: ContinuousClock.Instant, interval: Duration) -> Bool { dropLog.withLock { $0.admit(now: now, interval: interval) } }
}
