import Synchronization

extension FileBody {
    /// The region as a pulled stream: a chunk is read only when the consumer asks for the one
    /// before it, so at most one chunk is read ahead of the consumer, whatever the file size and
    /// however slow the consumer (a paused player holds the server's reads back). The read ahead
    /// overlaps the disk with the send of the chunk before.
    public func pulledStream() -> AsyncThrowingStream<[UInt8], any Error> {
        let reader = ReadAhead(self)
        return AsyncThrowingStream(unfolding: { try await reader.next() })
    }
}

/// The reads behind ``FileBody/pulledStream()``: the current chunk's read and the next one's.
/// Ranges are claimed under the lock before they are read, so even concurrent callers would read
/// distinct bytes in order of their calls.
private final class ReadAhead: Sendable {
    private struct State {
        var position: Int
        var remaining: Int
        /// The chunk read ahead, not yet handed out.
        var pending: Task<[UInt8], any Error>?
    }

    private let body: FileBody
    private let state: Mutex<State>

    init(_ body: FileBody) {
        self.body = body
        state = Mutex(State(position: body.offset, remaining: body.length))
    }

    deinit {
        state.withLock { $0.pending?.cancel() }
    }

    /// The next chunk, or `nil` after the region's last byte; starts the read of the one after.
    func next() async throws -> [UInt8]? {
        try Task.checkCancellation()
        let current = state.withLock { s -> Task<[UInt8], any Error>? in
            let current = s.pending ?? startRead(&s)
            s.pending = current == nil ? nil : startRead(&s)
            return current
        }
        guard let current else { return nil }
        return try await withTaskCancellationHandler { try await current.value } onCancel: { current.cancel() }
    }

    private func startRead(_ s: inout State) -> Task<[UInt8], any Error>? {
        guard s.remaining > 0 else { return nil }
        let (descriptor, position, count) = (body.descriptor, s.position, Swift.min(body.chunkSize, s.remaining))
        s.position += count
        s.remaining -= count
        return Task { try await FileBody.read(descriptor, at: position, count: count) }
    }
}
