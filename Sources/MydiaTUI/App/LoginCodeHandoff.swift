import Synchronization

/// Hands the code the user types to a login parked in `URLLogin.login`'s `code` callback: the
/// login waits in `next`, the UI's `loginCode` effect delivers, `loginCancel` (Esc) or the app's
/// shutdown cancels. One login waits at a time.
final class LoginCodeHandoff: Sendable {
    /// The user gave the login up at its code step.
    struct Cancelled: Error, CustomStringConvertible {
        var description: String { "The login was given up — type the password again to retry." }
    }

    private enum State {
        case idle
        case waiting(CheckedContinuation<String, any Error>)
    }

    private let state = Mutex(State.idle)

    /// Waits for a code. `announce` runs once the waiter is in place, so the UI asks for the code
    /// only when a typed one cannot arrive too early.
    func next(announce: @Sendable () -> Void) async throws -> String {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<String, any Error>) in
                let previous = state.withLock { s -> State in
                    defer { s = .waiting(continuation) }
                    return s
                }
                if case .waiting(let old) = previous { old.resume(throwing: Cancelled()) }
                // Cancelled before the waiter was in place: the handler found nothing to end.
                if Task.isCancelled { cancel() } else { announce() }
            }
        } onCancel: {
            cancel()
        }
    }

    /// Gives the waiting login its code. - Returns: whether a login was waiting.
    @discardableResult
    func deliver(_ code: String) -> Bool {
        guard let waiter = take() else { return false }
        waiter.resume(returning: code)
        return true
    }

    /// Ends the wait with `Cancelled`.
    func cancel() {
        take()?.resume(throwing: Cancelled())
    }

    private func take() -> CheckedContinuation<String, any Error>? {
        state.withLock { s in
            guard case .waiting(let c) = s else { return nil }
            s = .idle
            return c
        }
    }
}
