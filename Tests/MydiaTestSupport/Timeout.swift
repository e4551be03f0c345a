import Synchronization

/// Thrown by `withTimeout` when the limit passes first.
public struct TimeoutError: Error, CustomStringConvertible {
    public let what: String
    public init(what: String = "the operation") { self.what = what }
    public var description: String { "timed out waiting for \(what)" }
}

/// Runs `body`, failing with `TimeoutError` after `limit` of real time, so a bug fails a test
/// instead of hanging it.
///
/// The timeout does not wait for `body` to finish: `body` is cancelled and left behind. A task
/// group would join its children first, and a body parked somewhere that ignores cancellation
/// (awaiting an unstructured task's value, a continuation nobody resumes) would hang the test, and
/// with it the whole run, past every time limit. Cancelling the caller ends the wait the same way.
public func withTimeout<T: Sendable>(
    _ limit: Duration, _ what: String = "the operation",
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let outcome = FirstOutcome<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            outcome.arm(continuation)
            let work = Task {
                do { outcome.finish(.success(try await body())) } catch { outcome.finish(.failure(error)) }
            }
            let timer = Task {
                try? await Task.sleep(for: limit)
                outcome.finish(.failure(TimeoutError(what: what)))
                work.cancel()
            }
            outcome.onFinish { work.cancel(); timer.cancel() }
        }
    } onCancel: {
        outcome.finish(.failure(CancellationError()))
    }
}

/// Resumes one continuation with whichever result comes first; later results are dropped.
private final class FirstOutcome<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var early: Result<T, any Error>?
        var done = false
        var cleanup: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    func arm(_ continuation: CheckedContinuation<T, any Error>) {
        let early = state.withLock { state -> Result<T, any Error>? in
            guard let early = state.early else {
                state.continuation = continuation
                return nil
            }
            return early
        }
        if let early { continuation.resume(with: early) }
    }

    /// Runs `cleanup` once the outcome is known (at once if it already is).
    func onFinish(_ cleanup: @escaping @Sendable () -> Void) {
        let now = state.withLock { state -> Bool in
            if state.done { return true }
            state.cleanup = cleanup
            return false
        }
        if now { cleanup() }
    }

    func finish(_ result: Result<T, any Error>) {
        let (continuation, cleanup) = state.withLock { state -> (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) in
            guard !state.done else { return (nil, nil) }
            state.done = true
            let cleanup = state.cleanup
            state.cleanup = nil
            guard let continuation = state.continuation else {
                state.early = result
                return (nil, cleanup)
            }
            state.continuation = nil
            return (continuation, cleanup)
        }
        continuation?.resume(with: result)
        cleanup?()
    }
}
