import Synchronization

/// Pulls one response body chunk at a time for a single consumer, so the manager can put a stall
/// deadline on each wait (PROTOCOL.md §8.5: no byte for 3 s while the caller waits) and abandon a
/// failing body without touching the caller's task. A pump task iterates the transport's stream
/// and hands over each chunk only when the consumer takes it (no read-ahead beyond one chunk).
///
/// The deadline is kept by one watchdog task per source, which sleeps until the waiting consumer's
/// deadline (or, while nobody waits, for one stall period) — not by a timer per wait: a cancelled
/// `Task.sleep` still leaves its timer armed until it would have fired, and a body arriving in
/// thousands of chunks a second left thousands of timers behind (PROTOCOL.md §13.36).
final class ChunkSource: Sendable {
    /// What one `take` produced.
    enum Outcome: Sendable {
        case chunk([UInt8])
        case end
        case failed(any Error)
        case stalled
        case cancelled
    }

    private struct State {
        var buffered: [UInt8]?
        var producer: CheckedContinuation<Bool, Never>?
        var consumer: CheckedContinuation<Outcome, Never>?
        /// When the waiting consumer began to wait, if its wait has a stall deadline.
        var waitingSince: Duration?
        var terminal: Outcome?
        var pump: Task<Void, Never>?
        var watchdog: Task<Void, Never>?

        /// Takes the waiting consumer (it is about to be resumed).
        mutating func takeConsumer() -> CheckedContinuation<Outcome, Never>? {
            defer { consumer = nil; waitingSince = nil }
            return consumer
        }
    }

    private let state = Mutex(State())

    init(_ body: AsyncThrowingStream<[UInt8], any Error>) {
        let pump = Task { [self] in
            do {
                for try await chunk in body where !chunk.isEmpty {
                    guard await self.offer(chunk) else { return }
                }
                self.finish(.end)
            } catch {
                self.finish(.failed(error))
            }
        }
        state.withLock { $0.pump = pump }
    }

    deinit {
        state.withLock { $0.watchdog }?.cancel()
    }

    /// Waits for the next chunk; after `stallAfter` without one, returns `.stalled`.
    func take(stallAfter: Duration?, clock: ManagerClock) async -> Outcome {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                let (ready, producer, startWatchdog) = state.withLock { state -> (Outcome?, CheckedContinuation<Bool, Never>?, Bool) in
                    if let chunk = state.buffered {
                        state.buffered = nil
                        defer { state.producer = nil }
                        return (.chunk(chunk), state.producer, false)
                    }
                    if let terminal = state.terminal { return (terminal, nil, false) }
                    if Task.isCancelled { return (.cancelled, nil, false) }
                    state.consumer = continuation
                    guard stallAfter != nil else { return (nil, nil, false) }
                    state.waitingSince = clock.now()
                    return (nil, nil, state.watchdog == nil)
                }
                producer?.resume(returning: true)
                if let ready {
                    continuation.resume(returning: ready)
                } else if startWatchdog, let stallAfter {
                    let watchdog = Task { [weak self] () -> Void in await self?.watch(stallAfter: stallAfter, clock: clock) }
                    state.withLock { $0.watchdog = watchdog }
                }
            }
        } onCancel: {
            self.resolveConsumer(.cancelled)
        }
    }

    /// Abandons the body: the waiting consumer (if any) and every later `take` get `outcome`, and
    /// the pump stops iterating the transport's stream (which cancels the underlying request).
    func abandon(with outcome: Outcome) {
        let (consumer, producer, pump, watchdog) = state.withLock { state in
            if state.terminal == nil { state.terminal = outcome }
            state.buffered = nil
            defer { state.producer = nil; state.pump = nil; state.watchdog = nil }
            return (state.takeConsumer(), state.producer, state.pump, state.watchdog)
        }
        producer?.resume(returning: false)
        pump?.cancel()
        watchdog?.cancel()
        consumer?.resume(returning: outcome)
    }

    /// Sleeps until the waiting consumer's deadline and resolves it as `.stalled` if it is still
    /// waiting then; ends when the source ends or is abandoned.
    private func watch(stallAfter: Duration, clock: ManagerClock) async {
        var nap = stallAfter
        while true {
            guard (try? await clock.sleep(nap)) != nil else { return }
            let now = clock.now()
            let (stalled, next) = state.withLock { state -> (CheckedContinuation<Outcome, Never>?, Duration?) in
                guard state.terminal == nil else { return (nil, nil) }
                guard let since = state.waitingSince, state.consumer != nil else { return (nil, stallAfter) }
                let due = since + stallAfter
                guard now >= due else { return (nil, due - now) }
                return (state.takeConsumer(), stallAfter)
            }
            stalled?.resume(returning: .stalled)
            guard let next else { return }
            nap = next
        }
    }

    private func offer(_ chunk: [UInt8]) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let (consumer, accepted) = state.withLock { state -> (CheckedContinuation<Outcome, Never>?, Bool) in
                if state.terminal != nil { return (nil, false) }
                if let consumer = state.takeConsumer() { return (consumer, true) }
                state.buffered = chunk
                state.producer = continuation
                return (nil, true)
            }
            if let consumer {
                consumer.resume(returning: .chunk(chunk))
                continuation.resume(returning: true)
            } else if !accepted {
                continuation.resume(returning: false)
            }
        }
    }

    private func finish(_ outcome: Outcome) {
        let (consumer, watchdog) = state.withLock { state -> (CheckedContinuation<Outcome, Never>?, Task<Void, Never>?) in
            guard state.terminal == nil else { return (nil, nil) }
            state.terminal = outcome
            state.pump = nil
            defer { state.watchdog = nil }
            return (state.takeConsumer(), state.watchdog)
        }
        watchdog?.cancel()
        consumer?.resume(returning: outcome)
    }

    private func resolveConsumer(_ outcome: Outcome) {
        state.withLock { $0.takeConsumer() }?.resume(returning: outcome)
    }
}
