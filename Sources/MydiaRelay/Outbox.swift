import NIOCore
import Synchronization

/// The queue in front of one WebSocket's writer: every message the relay sends on a socket goes
/// through it, so one writer task owns the socket's output and order is preserved (data before
/// the `close` that follows it, PROTOCOL.md §12.3).
///
/// Every queued byte counts against one budget per socket, text as well as binary, so a peer that
/// never reads cannot make the relay hold more than that for it (§12.4). A binary push past the
/// budget fails (`overflow`: the caller closes the session as a slow consumer); a text push past it
/// ends the socket at once, since a peer that does not take its replies is not reading. An
/// instance socket's outbox also has a high-water mark below its budget: client readers wait on
/// ``waitForRoom()`` (backpressure to that one client).
///
/// Ending is never queued behind data: ``terminate()`` ends the socket now, and a queued
/// `closeSocket` gives the writer ``SocketRunner``'s grace to get everything before it out.
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
        /// The budget would be exceeded; nothing was queued.
        case overflow
        /// The socket is closing; nothing was queued.
        case closed
    }

    private struct State {
        var items = CircularBuffer<Item>()
        var bytes = 0
        var closing = false
        var terminated = false
        var consumer: CheckedContinuation<Item?, Never>?
        var roomWaiters: [CheckedContinuation<Void, Never>] = []
        var closeWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    /// Bytes that may be queued at once, text and binary together.
    let budget: Int
    /// ``waitForRoom()`` suspends while more than this many bytes are queued.
    let highWater: Int

    init(budget: Int, highWater: Int) {
        self.budget = budget
        self.highWater = min(highWater, budget)
    }

    /// Queues `item` within the budget (see the type's notes for what an overflow does).
    @discardableResult
    func push(_ item: Item) -> PushResult {
        let size = Self.size(of: item)
        var endNow = false
        let (result, consumer, closeWaiters): (PushResult, CheckedContinuation<Item?, Never>?, [CheckedContinuation<Void, Never>]) =
            state.withLock { s in
                if s.closing { return (.closed, nil, []) }
                if s.bytes + size > budget {
                    guard case .text = item else { return (.overflow, nil, []) }
                    endNow = true
                    return (.overflow, nil, [])
                }
                var waiters: [CheckedContinuation<Void, Never>] = []
                if case .closeSocket = item {
                    s.closing = true
                    waiters = s.closeWaiters
                    s.closeWaiters = []
                }
                if let c = s.consumer {
                    s.consumer = nil
                    return (.queued, c, waiters)
                }
                s.items.append(item)
                s.bytes += size
                return (.queued, nil, waiters)
            }
        if endNow { terminate() }
        consumer?.resume(returning: item)
        closeWaiters.forEach { $0.resume() }
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
            let w = s.roomWaiters + s.closeWaiters
            s.roomWaiters = []
            s.closeWaiters = []
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

    /// Ends the socket now: the queue is dropped and the socket's runner stops its writer.
    func terminate() {
        let (consumer, waiters): (CheckedContinuation<Item?, Never>?, [CheckedContinuation<Void, Never>]) = state.withLock { s in
            if s.terminated { return (nil, []) }
            s.terminated = true
            s.closing = true
            s.items.removeAll()
            s.bytes = 0
            let w = s.roomWaiters + s.closeWaiters
            s.roomWaiters = []
            s.closeWaiters = []
            let c = s.consumer
            s.consumer = nil
            return (c, w)
        }
        consumer?.resume(returning: nil)
        waiters.forEach { $0.resume() }
    }

    /// Whether ``terminate()`` was called.
    var isTerminated: Bool { state.withLock { $0.terminated } }

    /// Returns once a close was queued or the socket was terminated.
    func waitForClose() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let wait = state.withLock { s in
                guard !s.closing else { return false }
                s.closeWaiters.append(c)
                return true
            }
            if !wait { c.resume() }
        }
    }

    /// The next item for the writer (single consumer); `nil` when the task is cancelled or the
    /// socket terminated.
    func next() async -> Item? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Item?, Never>) in
                let (ready, waiters): (Item??, [CheckedContinuation<Void, Never>]) = state.withLock { s in
                    if let item = s.items.popFirst() {
                        s.bytes -= Self.size(of: item)
                        var woken: [CheckedContinuation<Void, Never>] = []
                        if s.bytes <= highWater / 2 {
                            woken = s.roomWaiters
                            s.roomWaiters = []
                        }
                        return (.some(item), woken)
                    }
                    if Task.isCancelled || s.terminated { return (.some(nil), []) }
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

    private static func size(of item: Item) -> Int {
        switch item {
        case .binary(let b): b.readableBytes
        case .text(let t): t.utf8.count
        case .closeSocket: 0
        }
    }
}
