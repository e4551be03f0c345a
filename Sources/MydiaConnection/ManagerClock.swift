/// An injected `Clock` as the client's timers see it: elapsed time since creation and sleeping.
/// Erasing the clock here keeps `ConnectionManager` (and the playback above it) non-generic, and
/// lets tests run every timer on a manual clock.
public struct ManagerClock: Sendable {
    /// Time elapsed on the clock since this value was created.
    public let now: @Sendable () -> Duration
    /// Sleeps for a duration; throws `CancellationError` when cancelled.
    public let sleep: @Sendable (Duration) async throws -> Void
    /// Sleeps until `now()` reaches an offset; returns at once if it already has. A loop that reads
    /// `now()` and then waits for a deadline derived from that reading uses this, not `sleep`: time
    /// that passes between the two cannot stretch the wait.
    public let sleepUntil: @Sendable (Duration) async throws -> Void

    /// Erases `clock`; its current instant becomes offset zero.
    public init<C: Clock>(_ clock: C) where C.Duration == Duration {
        let start = clock.now
        self.now = { start.duration(to: clock.now) }
        self.sleep = { duration in try await clock.sleep(for: duration) }
        self.sleepUntil = { offset in try await clock.sleep(until: start.advanced(by: offset), tolerance: nil) }
    }
}
