import Synchronization

/// The relay's open sockets and what is queued for them, for limits, tests and the load bench.
final class SocketGauge: Sendable {
    private let outboxes = Mutex<[ObjectIdentifier: Outbox]>([:])

    func opened(_ outbox: Outbox) { outboxes.withLock { $0[ObjectIdentifier(outbox)] = outbox } }
    func closed(_ outbox: Outbox) { _ = outboxes.withLock { $0.removeValue(forKey: ObjectIdentifier(outbox)) } }

    /// Open WebSockets, and the bytes queued for all of them.
    var reading: (sockets: Int, queuedBytes: Int) {
        let all = outboxes.withLock { Array($0.values) }
        return (all.count, all.reduce(0) { $0 + $1.queuedBytes })
    }
}
