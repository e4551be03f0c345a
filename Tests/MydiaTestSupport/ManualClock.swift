import Synchronization

/// A clock that moves only when a test advances it (the ConnectionManager's and the playback's tests). Sleepers park until their deadline; a test
/// awaits "the code under test is parked in sleep until T" before advancing, so nothing races.
public final class ManualClock: Clock {
    /// An offset from the clock's start.
    public struct Instant: InstantProtocol {
        public var offset: Duration
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct Sleeper {
        let deadline: Duration
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct Waiter {
        let predicate: @Sendable ([Duration]) -> Bool
        let continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var now: Duration = .zero
        var nextID = 0
        var sleepers: [Int: Sleeper] = [:]
        var waiters: [Int: Waiter] = [:]
    }

    private let state = Mutex(State())

    /// A clock at offset zero.
    public init() {}

    public var now: Instant { Instant(offset: state.withLock { $0.now }) }
    public var minimumResolution: Duration { .nanoseconds(1) }

    /// Now, as an offset from the clock's start.
    public var elapsed: Duration { state.withLock { $0.now } }

    /// Deadlines of the tasks parked in `sleep`, sorted.
    public var sleeperDeadlines: [Duration] { state.withLock { $0.sleepers.values.map(\.deadline).sorted() } }

    public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Action { case resume, cancel, parked([CheckedContinuation<Bool, Never>]) }
                let action = state.withLock { state -> Action in
                    if deadline.offset <= state.now { return .resume }
                    if Task.isCancelled { return .cancel }
                    state.sleepers[id] = Sleeper(deadline: deadline.offset, continuation: continuation)
                    return .parked(Self.satisfiedWaiters(&state))
                }
                switch action {
                case .resume: continuation.resume()
                case .cancel: continuation.resume(throwing: CancellationError())
                case .parked(let waiters): waiters.forEach { $0.resume(returning: true) }
                }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward and wakes every sleeper whose deadline has come.
    public func advance(by duration: Duration) {
        let due = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.now += duration
            let now = state.now
            let due = state.sleepers.filter { $0.value.deadline <= now }
            for id in due.keys { state.sleepers[id] = nil }
            return due.values.sorted { $0.deadline < $1.deadline }.map(\.continuation)
        }
        due.forEach { $0.resume() }
    }

    /// Moves time to `offset` (must not be in the past).
    public func advance(to offset: Duration) {
        advance(by: offset - elapsed)
    }

    /// Waits (at most `timeout` of real time) until the parked sleepers' deadlines satisfy `predicate`.
    @discardableResult
    public func waitForSleepers(timeout: Duration = .seconds(5), _ predicate: @escaping @Sendable ([Duration]) -> Bool) async -> Bool {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            let waiter = self.state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume(returning: false)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let satisfied = state.withLock { state -> Bool in
                if predicate(state.sleepers.values.map(\.deadline).sorted()) { return true }
                state.waiters[id] = Waiter(predicate: predicate, continuation: continuation)
                return false
            }
            if satisfied { continuation.resume(returning: true) }
        }
    }

    /// Waits until some task sleeps until exactly `deadline` (an offset from the start).
    @discardableResult
    public func waitForSleeper(until deadline: Duration, timeout: Duration = .seconds(5)) async -> Bool {
        await waitForSleepers(timeout: timeout) { $0.contains(deadline) }
    }

    private static func satisfiedWaiters(_ state: inout State) -> [CheckedContinuation<Bool, Never>] {
        let deadlines = state.sleepers.values.map(\.deadline).sorted()
        let ready = state.waiters.filter { $0.value.predicate(deadlines) }
        for id in ready.keys { state.waiters[id] = nil }
        return ready.values.map(\.continuation)
    }
}
