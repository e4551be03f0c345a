import Synchronization

/// Why an `Attempt` ended without its operation's result.
enum AttemptInterruption: Error, Equatable {
    /// The deadline passed first.
    case timedOut
    /// Someone called `abort`.
    case aborted
}

/// Runs an operation in its own task and returns the first of: its result, a deadline, an abort,
/// or the caller's cancellation. Unlike a task group it never waits for an operation that ignores
/// cancellation, so a misbehaving transport cannot wedge the manager.
final class Attempt<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var outcome: Result<T, any Error>?
        var tasks: [Task<Void, Never>] = []
    }

    private let state = Mutex(State())

    init() {}

    /// Runs `operation`, bounded by `timeout` when given.
    func run(timeout: Duration?, clock: ManagerClock, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        var tasks = [Task { [self] in
            do { self.resolve(.success(try await operation())) } catch { self.resolve(.failure(error)) }
        }]
        if let timeout {
            tasks.append(Task { [self] in
                do {
                    try await clock.sleep(timeout)
                    self.resolve(.failure(AttemptInterruption.timedOut))
                } catch {}
            })
        }
        let finished = state.withLock { state -> Bool in
            if state.outcome != nil { return true }
            state.tasks = tasks
            return false
        }
        if finished { tasks.forEach { $0.cancel() } }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let ready = state.withLock { state -> Result<T, any Error>? in
                    if let outcome = state.outcome { return outcome }
                    state.continuation = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            self.resolve(.failure(CancellationError()))
        }
    }

    /// Ends the attempt now with `AttemptInterruption.aborted`.
    func abort() {
        resolve(.failure(AttemptInterruption.aborted))
    }

    private func resolve(_ outcome: Result<T, any Error>) {
        let (continuation, tasks) = state.withLock { state -> (CheckedContinuation<T, any Error>?, [Task<Void, Never>]) in
            guard state.outcome == nil else { return (nil, []) }
            state.outcome = outcome
            defer { state.continuation = nil; state.tasks = [] }
            return (state.continuation, state.tasks)
        }
        tasks.forEach { $0.cancel() }
        continuation?.resume(with: outcome)
    }
}
