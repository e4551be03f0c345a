import Synchronization

/// Pulls one response body chunk at a time for a single consumer, so the manager can put a stall
/// deadline on each wait (PROTOCOL.md §8.5: no byte for 3 s while the caller waits) and abandon a
/// failing body without touching the caller's task. A pump task iterates the transport's stream
/// and hands over each chunk only when the consumer takes it (no read-ahead beyond one chunk).
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
        var consumerToken = 0
        var terminal: Outcome?
        var pump: Task<Void, Never>?
        var timer: Task<Void, Never>?
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

    /// Waits for the next chunk; after `stallAfter` without one, returns `.stalled`.
    func take(stallAfter: Duration?, clock: ManagerClock) async -> Outcome {
        let token = state.withLock { state -> Int in
            state.consumerToken += 1
            return state.consumerToken
        }
        defer {
            let timer = state.withLock { state -> Task<Void, Never>? in
                defer { state.timer = nil }
                return state.timer
            }
            timer?.cancel()
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                let (ready, producer) = state.withLock { state -> (Outcome?, CheckedContinuation<Bool, Never>?) in
                    if let chunk = state.buffered {
                        state.buffered = nil
                        defer { state.producer = nil }
                        return (.chunk(chunk), state.producer)
                    }
                    if let terminal = state.terminal { return (terminal, nil) }
                    if Task.isCancelled { return (.cancelled, nil) }
                    state.consumer = continuation
                    return (nil, nil)
                }
                producer?.resume(returning: true)
                if let ready {
                    continuation.resume(returning: ready)
                } else if let stallAfter {
                    let timer = Task { [self] in
                        guard (try? await clock.sleep(stallAfter)) != nil else { return }
                        self.resolveConsumer(.stalled, token: token)
                    }
                    state.withLock { $0.timer = timer }
                }
            }
        } onCancel: {
            self.resolveConsumer(.cancelled, token: nil)
        }
    }

    /// Abandons the body: the waiting consumer (if any) and every later `take` get `outcome`, and
    /// the pump stops iterating the transport's stream (which cancels the underlying request).
    func abandon(with outcome: Outcome) {
        let (consumer, producer, pump) = state.withLock { state in
            if state.terminal == nil { state.terminal = outcome }
            state.buffered = nil
            defer { state.consumer = nil; state.producer = nil; state.pump = nil }
            return (state.consumer, state.producer, state.pump)
        }
        producer?.resume(returning: false)
        pump?.cancel()
        consumer?.resume(returning: outcome)
    }

    private func offer(_ chunk: [UInt8]) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let (consumer, accepted) = state.withLock { state -> (CheckedContinuation<Outcome, Never>?, Bool) in
                if state.terminal != nil { return (nil, false) }
                if let consumer = state.consumer {
                    state.consumer = nil
                    return (consumer, true)
                }
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
        let consumer = state.withLock { state -> CheckedContinuation<Outcome, Never>? in
            guard state.terminal == nil else { return nil }
            state.terminal = outcome
            state.pump = nil
            defer { state.consumer = nil }
            return state.consumer
        }
        consumer?.resume(returning: outcome)
    }

    private func resolveConsumer(_ outcome: Outcome, token: Int?) {
        let consumer = state.withLock { state -> CheckedContinuation<Outcome, Never>? in
            if let token, token != state.consumerToken { return nil }
            defer { state.consumer = nil }
            return state.consumer
        }
        consumer?.resume(returning: outcome)
    }
}
