import Synchronization

/// Send credit for one streamed response (PROTOCOL.md §5.3, §11.6): the sender never has more
/// unacknowledged data bytes in flight than the receiver granted. Each `credit` message is an
/// increment. Waiting for credit suspends only this stream's task, never the session.
final class StreamCredit: Sendable {
    private struct State {
        var available: Int
        var waiter: CheckedContinuation<Void, any Error>?
        var cancelled = false
    }

    private let state: Mutex<State>

    init(initial: Int) { state = Mutex(State(available: initial)) }

    /// Adds `bytes` of credit and wakes the waiting sender.
    func grant(_ bytes: Int) {
        let waiter = state.withLock { s -> CheckedContinuation<Void, any Error>? in
            s.available = s.available.addingReportingOverflow(max(0, bytes)).overflow ? Int.max : s.available + max(0, bytes)
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    /// Wakes the sender with `CancellationError`; later `take` calls throw at once.
    func cancel() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, any Error>? in
            s.cancelled = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(throwing: CancellationError())
    }

    /// Takes up to `wanted` bytes of credit, waiting while none is available.
    func take(upTo wanted: Int) async throws -> Int {
        while true {
            let got: Int? = try state.withLock { s in
                if s.cancelled { throw CancellationError() }
                guard s.available > 0 else { return nil }
                let n = min(wanted, s.available)
                s.available -= n
                return n
            }
            if let got { return got }
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                    let resumeNow: Bool = state.withLock { s in
                        if s.cancelled || s.available > 0 { return true }
                        s.waiter = c
                        return false
                    }
                    if resumeNow { c.resume() }
                }
            } onCancel: {
                cancel()
            }
        }
    }

    var available: Int { state.withLock { $0.available } }
}
