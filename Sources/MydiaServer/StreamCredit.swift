import MydiaWire
import Synchronization

/// Send credit for one streamed response (PROTOCOL.md §5.3, §11.6): the sender never has more
/// unacknowledged data bytes in flight than the receiver granted. Each `credit` message is an
/// increment. Waiting for credit suspends only this stream's task, never the session.
///
/// Credit never exceeds the stream's window, 16 full media frames (PROTOCOL.md §13.35): a peer
/// granting more than it could have consumed is clamped there, so one stream can never have
/// more than a window of frames queued towards a peer that does not read them (issue 18).
final class StreamCredit: Sendable {
    /// The most credit a stream holds: the window the client grants (§13.35), 1,048,496 bytes.
    static let window = 16 * MediaFrame.maxDataSize

    private struct State {
        var available: Int
        var waiter: CheckedContinuation<Void, any Error>?
        var cancelled = false
    }

    private let state: Mutex<State>
    /// The cap on ``available``.
    let window: Int

    init(initial: Int, window: Int = StreamCredit.window) {
        self.window = window
        state = Mutex(State(available: min(initial, window)))
    }

    /// Adds `bytes` of credit, at most up to the window, and wakes the waiting sender.
    /// - Returns: `false` when the grant went past the window and was clamped.
    @discardableResult
    func grant(_ bytes: Int) -> Bool {
        let (waiter, withinWindow) = state.withLock { s -> (CheckedContinuation<Void, any Error>?, Bool) in
            let room = window - s.available
            let granted = max(0, bytes)
            s.available += min(granted, max(0, room))
            defer { s.waiter = nil }
            return (s.waiter, granted <= room)
        }
        waiter?.resume()
        return withinWindow
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
