import Synchronization

/// A response body as an async sequence of byte chunks, the same for both paths (relay tunnel and
/// direct HTTPS), so the connection manager can treat them alike.
///
/// The body is produced into a small buffer and consumed once. The producer learns about every
/// chunk the consumer takes (the tunnel grants stream credit from it, PROTOCOL.md §5.3) and about
/// a consumer that goes away early: cancelling the consuming task, or dropping every copy of the
/// body and its iterator before the end, cancels the transfer (the tunnel sends `{"t":"cancel"}`,
/// the direct path closes its connection).
public struct ResponseBody: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    let consumer: Consumer

    init(pipe: BodyPipe) { consumer = Consumer(pipe: pipe) }

    /// A body that is already complete (inline tunnel responses, empty bodies).
    public static func complete(_ bytes: [UInt8]) -> ResponseBody {
        let pipe = BodyPipe(onConsume: nil, onCancel: nil)
        if !bytes.isEmpty { pipe.push(bytes) }
        pipe.finish()
        return ResponseBody(pipe: pipe)
    }

    /// Reads the whole body into memory.
    /// - Parameter limit: refuse bodies larger than this many bytes.
    public func collect(upTo limit: Int = 64 << 20) async throws -> [UInt8] {
        var out: [UInt8] = []
        for try await chunk in self {
            guard out.count + chunk.count <= limit else { throw TransportError.bodyTooLarge(limit: limit) }
            out += chunk
        }
        return out
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(consumer: consumer) }

    /// Pulls the next chunk; `nil` at the end of the body.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let consumer: Consumer

        public mutating func next() async throws -> [UInt8]? {
            try await consumer.pipe.next()
        }
    }

    /// Cancels the transfer when the last reference to the body goes away before its end.
    final class Consumer: Sendable {
        let pipe: BodyPipe
        init(pipe: BodyPipe) { self.pipe = pipe }
        deinit { pipe.cancel() }
    }
}

/// The buffer between a body's producer (a socket reader) and its single consumer.
///
/// `push` never waits (the tunnel bounds what arrives with credit); `send` waits while more than
/// `capacity` bytes are buffered (the direct path stops reading its socket, so TCP pushes back).
final class BodyPipe: Sendable {
    private struct State {
        var chunks: [[UInt8]] = []
        var head = 0
        var buffered = 0
        var finished = false
        var failure: (any Error)?
        var cancelled = false
        var consumer: CheckedContinuation<[UInt8]?, any Error>?
        var producer: CheckedContinuation<Void, any Error>?
    }

    private let state = Mutex(State())
    private let capacity: Int
    private let onConsume: (@Sendable (Int) -> Void)?
    private let onCancel: (@Sendable () -> Void)?

    /// - Parameters:
    ///   - capacity: bytes `send` lets queue up before it waits (one chunk may go beyond).
    ///   - onConsume: called with each chunk's size as the consumer takes it.
    ///   - onCancel: called once if the consumer gives up before the end.
    init(capacity: Int = 128 * 1024, onConsume: (@Sendable (Int) -> Void)?, onCancel: (@Sendable () -> Void)?) {
        self.capacity = capacity
        self.onConsume = onConsume
        self.onCancel = onCancel
    }

    /// The largest chunk `next` assembles from queued ones.
    static let coalesceLimit = 256 * 1024

    /// Bytes waiting for the consumer.
    var bufferedBytes: Int { state.withLock { $0.buffered } }

    /// Whether the consumer gave up.
    var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// Adds a chunk without waiting.
    func push(_ chunk: [UInt8]) {
        let consumer: CheckedContinuation<[UInt8]?, any Error>? = state.withLock { s in
            guard !s.finished, !s.cancelled, s.failure == nil else { return nil }
            if let c = s.consumer {
                s.consumer = nil
                return c
            }
            s.chunks.append(chunk)
            s.buffered += chunk.count
            return nil
        }
        if let consumer {
            onConsume?(chunk.count)
            consumer.resume(returning: chunk)
        }
    }

    /// Adds a chunk, waiting while the buffer is full. Throws `CancellationError` once the consumer
    /// has gone.
    func send(_ chunk: [UInt8]) async throws {
        push(chunk)
        while true {
            let mustWait: Bool = try state.withLock { s in
                if s.cancelled { throw CancellationError() }
                return s.buffered > capacity
            }
            guard mustWait else { return }
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let resumeNow: Bool = state.withLock { s in
                    if s.cancelled || s.buffered <= capacity { return true }
                    s.producer = c
                    return false
                }
                if resumeNow { c.resume() }
            }
        }
    }

    /// Marks the end of the body.
    func finish() {
        let consumer = state.withLock { s -> CheckedContinuation<[UInt8]?, any Error>? in
            guard !s.finished, s.failure == nil else { return nil }
            s.finished = true
            defer { s.consumer = nil }
            return s.consumer
        }
        consumer?.resume(returning: nil)
    }

    /// Ends the body with an error the consumer sees after the chunks already buffered.
    func fail(_ error: any Error) {
        let (consumer, producer) = state.withLock { s -> (CheckedContinuation<[UInt8]?, any Error>?, CheckedContinuation<Void, any Error>?) in
            guard !s.finished, s.failure == nil else { return (nil, nil) }
            s.failure = error
            defer { s.consumer = nil; s.producer = nil }
            return (s.consumer, s.producer)
        }
        consumer?.resume(throwing: error)
        producer?.resume(throwing: error)
    }

    /// The consumer gives up: buffered data is dropped and the producer is told once.
    func cancel() {
        let (notify, consumer, producer) = state.withLock { s -> (Bool, CheckedContinuation<[UInt8]?, any Error>?, CheckedContinuation<Void, any Error>?) in
            guard !s.cancelled else { return (false, nil, nil) }
            s.cancelled = true
            let notify = !s.finished && s.failure == nil
            s.chunks = []
            s.head = 0
            s.buffered = 0
            defer { s.consumer = nil; s.producer = nil }
            return (notify, s.consumer, s.producer)
        }
        consumer?.resume(throwing: CancellationError())
        producer?.resume(throwing: CancellationError())
        if notify { onCancel?() }
    }

    /// The next chunk, `nil` at the end. Cancelling the waiting task cancels the transfer.
    func next() async throws -> [UInt8]? {
        if let ready = try takeReady() { return ready.chunk }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<[UInt8]?, any Error>) in
                let ready: Result<[UInt8]?, any Error>? = state.withLock { s in
                    if s.cancelled { return .failure(CancellationError()) }
                    if s.head < s.chunks.count || s.finished || s.failure != nil { return .success(nil) }
                    s.consumer = c
                    return nil
                }
                switch ready {
                case .none: break
                case .failure(let error)?: c.resume(throwing: error)
                case .success?:
                    do { c.resume(returning: try takeReady()?.chunk) } catch { c.resume(throwing: error) }
                }
            }
        } onCancel: {
            cancel()
        }
    }

    /// A buffered chunk (`chunk == nil` at the end), or `nil` when the consumer must wait.
    private func takeReady() throws -> (chunk: [UInt8]?, Void)? {
        let (result, producer): (Result<[UInt8]?, any Error>?, CheckedContinuation<Void, any Error>?) = state.withLock { s in
            if s.cancelled { return (.failure(CancellationError()), nil) }
            if s.head < s.chunks.count {
                // Everything queued leaves as one chunk (up to `coalesceLimit`): when the consumer
                // lags, the hops after this one run once per batch instead of once per frame.
                var chunk = s.chunks[s.head]
                s.head += 1
                if s.head < s.chunks.count, chunk.count < Self.coalesceLimit {
                    chunk.reserveCapacity(min(s.buffered, Self.coalesceLimit))
                    while s.head < s.chunks.count, chunk.count + s.chunks[s.head].count <= Self.coalesceLimit {
                        chunk += s.chunks[s.head]
                        s.head += 1
                    }
                }
                s.buffered -= chunk.count
                if s.head == s.chunks.count {
                    s.chunks.removeAll(keepingCapacity: true)
                    s.head = 0
                }
                var producer: CheckedContinuation<Void, any Error>?
                if s.buffered <= capacity {
                    producer = s.producer
                    s.producer = nil
                }
                return (.success(chunk), producer)
            }
            if let failure = s.failure { return (.failure(failure), nil) }
            if s.finished { return (.success(nil), nil) }
            return (nil, nil)
        }
        producer?.resume()
        switch result {
        case .none: return nil
        case .failure(let error)?: throw error
        case .success(let chunk)?:
            if let chunk { onConsume?(chunk.count) }
            return (chunk, ())
        }
    }
}
