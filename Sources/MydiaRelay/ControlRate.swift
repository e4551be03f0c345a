import Synchronization

/// Control messages (`ping`, `pong`, ignored unknown types) one socket may send (PROTOCOL.md
/// §12.4, §13): a token bucket of `burst` that refills at `perSecond`. Heartbeats are one per 30 s
/// (§2.1, §2.2), so a well-behaved peer never comes near it; past it a message is not answered and
/// counts as a bad request, so a `ping` flood ends in the socket's close instead of a pong per ping
/// (the fault lab's `dos-relay` measured 125,000 pings/s from 20 sockets taking the relay's RSS
/// from 49 to 362 MiB before this bound).
final class ControlRate: Sendable {
    private struct Bucket {
        var tokens: Double
        var last: ContinuousClock.Instant
    }

    private let burst: Double
    private let perSecond: Double
    private let clock: RelayClock
    private let bucket: Mutex<Bucket>

    init(burst: Int, perSecond: Double, clock: RelayClock) {
        self.burst = Double(burst)
        self.perSecond = perSecond
        self.clock = clock
        bucket = Mutex(Bucket(tokens: Double(burst), last: clock.now()))
    }

    /// Takes one token; `false` when the socket is over its rate.
    func take() -> Bool {
        let now = clock.now()
        return bucket.withLock { b in
            let elapsed = now - b.last
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            b.tokens = min(burst, b.tokens + seconds * perSecond)
            b.last = now
            guard b.tokens >= 1 else { return false }
            b.tokens -= 1
            return true
        }
    }
}
