import Synchronization

/// Runs one database operation with a hard time bound. The operation runs in its own task so that
/// a query stuck on a dead socket (which does not answer cancellation) cannot hold the caller: the
/// caller gets `StoreUnavailable` at the deadline and the stray task is cancelled and left to end.
enum StoreDeadline {
    static func run<T: Sendable>(
        within limit: Duration, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let gate = Gate<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                gate.arm(continuation)
                let work = Task {
                    do { gate.finish(.success(try await operation())) } catch { gate.finish(.failure(error)) }
                }
                let timer = Task {
                    try? await Task.sleep(for: limit)
                    if gate.finish(.failure(StoreUnavailable.timedOut)) { work.cancel() }
                }
                gate.onFinish { timer.cancel() }
            }
        } onCancel: {
            gate.finish(.failure(CancellationError()))
        }
    }

    /// Resumes the continuation once, with whichever result comes first.
    private final class Gate<T: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<T, any Error>?
            var early: Result<T, any Error>?
            var done = false
            var cleanup: (@Sendable () -> Void)?
        }

        private let state = Mutex(State())

        func arm(_ continuation: CheckedContinuation<T, any Error>) {
            let early: Result<T, any Error>? = state.withLock { s in
                if let e = s.early { return e }
                s.continuation = continuation
                return nil
            }
            if let early { continuation.resume(with: early) }
        }

        func onFinish(_ cleanup: @escaping @Sendable () -> Void) {
            let now = state.withLock { s in
                if s.done { return true }
                s.cleanup = cleanup
                return false
            }
            if now { cleanup() }
        }

        @discardableResult
        func finish(_ result: Result<T, any Error>) -> Bool {
            let (continuation, cleanup, first): (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?, Bool) = state.withLock { s in
                guard !s.done else { return (nil, nil, false) }
                s.done = true
                if s.continuation == nil { s.early = result }
                defer { s.continuation = nil; s.cleanup = nil }
                return (s.continuation, s.cleanup, true)
            }
            continuation?.resume(with: result)
            cleanup?()
            return first
        }
    }
}

/// The fleet's database could not answer in time (or at all).
enum StoreUnavailable: Swift.Error, CustomStringConvertible {
    /// The query (or the wait for a connection) passed its deadline.
    case timedOut
    /// The schema is not in place yet (the database has been unreachable since the node started).
    case notReady
    /// The database answered with an error.
    case failed(String)

    var description: String {
        switch self {
        case .timedOut: "the database did not answer in time"
        case .notReady: "the database has not been reachable since this node started"
        case .failed(let why): "the database failed: \(why)"
        }
    }
}
