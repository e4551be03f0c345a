import NIOCore
import Synchronization

/// The queue in front of one WebSocket's writer: every message the relay sends on a socket goes
/// through it, so one writer task owns the socket's output and order is preserved (data before
/// the `close` that follows it, PROTOCOL.md §12.3).
///
/// Bytes are counted while queued. A client socket's outbox has a hard cap (1 MiB, §12.4): a push
/// that would pass it fails, and the caller closes the session as a slow consumer, so the instance
/// socket is never stalled by one client. An instance socket's outbox has a high-water mark
/// instead: client readers wait on ``waitForRoom()`` (backpressure to that one client).
final class Outbox: Sendable {
    /// One queued item.
    enum Item: Sendable {
        case text(String)
        case binary(ByteBuffer)
        /// Stop writing and close the socket once everything before it is out.
        case closeSocket
    }

    /// Result of ``push(_:)``.
    enum PushResult: Equatable {
        case queued
        /// The hard cap would be exceeded; nothing was queued.
        case overflow
        /// The socket is closing; nothing was queued.
        case closed
    }

    private struct State {
        var items = CircularBuffer<Item>()
        var bytes = 0
        var closing = false
        var consumer: CheckedContinuation<Item?, Never>?
        var roomWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    /// Pushes of binary data fail beyond this many queued bytes (`nil` = no cap).
    let hardLimit: Int?
    /// ``waitForRoom()`` suspends while more than this many bytes are queued.
    let highWater: Int

    init(hardLimit: Int?, highWater: Int) {
        self.hardLimit = hardLimit
        self.highWater = highWater
    }

    /// Queues `item`. Text and close items are never refused for size: they are small and rare.
    @discardableResult
    func push(_ item: Item) -> PushResult {
        let size: Int
        switch item {
        case .binary(let b): size = b.readableBytes
        case .text(let t): size = t.utf8.count
        case .closeSocket: size = 0
        }
        let (result, consumer): (PushResult, CheckedContinuation<Item?, Never>?) = state.withLock { s in
            if s.closing { return (.closed, nil) }
            if case .binary = item, let cap = hardLimit, s.bytes + size > cap { return (.overflow, nil) }
            if case .closeSocket = item { s.closing = true }
            if let c = s.consumer {
                s.consumer = nil
                return (.queued, c)
            }
            s.items.append(item)
            s.bytes += size
            return (.queued, nil)
        }
        consumer?.resume(returning: item)
        return result
    }

    /// Discards everything queued and queues a close (slow consumer: the backlog is useless now).
    /// - Parameter last: an optional final text message to send before closing.
    func abandon(sendingLast last: String?) {
        let (consumer, waiters): (CheckedContinuation<Item?, Never>?, [CheckedContinuation<Void, Never>]) = state.withLock { s in
            if s.closing { return (nil, []) }
            s.items.removeAll()
            s.bytes = 0
            s.closing = true
            if let last { s.items.append(.text(last)) }
            s.items.append(.closeSocket)
            let w = s.roomWaiters
            s.roomWaiters = []
            guard let c = s.consumer else { return (nil, w) }
            s.consumer = nil
            return (c, w)
        }
        waiters.forEach { $0.resume() }
        if let consumer {
            let first = state.withLock { $0.items.popFirst() }
            consumer.resume(returning: first)
        }
    }

    /// The next item for the writer (single consumer); `nil` when the task is cancelled.
    func next() async -> Item? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Item?, Never>) in
                let (ready, waiters): (Item??, [CheckedContinuation<Void, Never>]) = state.withLock { s in
                    if let item = s.items.popFirst() {
                        if case .binary(let b) = item { s.bytes -= b.readableBytes }
                        if case .text(let t) = item { s.bytes -= t.utf8.count }
                        var woken: [CheckedContinuation<Void, Never>] = []
                        if s.bytes <= highWater / 2 {
                            woken = s.roomWaiters
                            s.roomWaiters = []
                        }
                        return (.some(item), woken)
                    }
                    if Task.isCancelled { return (.some(nil), []) }
                    s.consumer = c
                    return (nil, [])
                }
                waiters.forEach { $0.resume() }
                if let ready { c.resume(returning: ready) }
            }
        } onCancel: {
            let c: CheckedContinuation<Item?, Never>? = state.withLock { s in
                let c = s.consumer
                s.consumer = nil
                return c
            }
            c?.resume(returning: nil)
        }
    }

    /// Suspends while more than the high-water mark is queued (returns at once when closing).
    func waitForRoom() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let wait = state.withLock { s in
                guard s.bytes > highWater, !s.closing else { return false }
                s.roomWaiters.append(c)
                return true
            }
            if !wait { c.resume() }
        }
    }

    /// Bytes currently queued.
    var queuedBytes: Int { state.withLock { $0.bytes } }

    /// Marks the outbox closed without queuing anything more and releases waiters (socket gone).
    func shutdown() {
        let waiters: [CheckedContinuation<Void, Never>] = state.withLock { s in
            s.closing = true
            s.items.removeAll()
            s.bytes = 0
            let w = s.roomWaiters
            s.roomWaiters = []
            return w
        }
        waiters.forEach { $0.resume() }
    }
}
