import Foundation
import Logging
public import MydiaWire
import NIOCore
import Synchronization
import WSClient

/// A real WebSocket client for tests: what it receives lands in a queue read with a timeout.
public final class TestSocket: Sendable {
    public enum Event: Sendable, Equatable {
        case text(String)
        case binary([UInt8])
        case closed
    }

    public enum Failure: Error, CustomStringConvertible {
        case timeout(String)
        case unexpected(String)
        public var description: String {
            switch self {
            case .timeout(let what): "timed out waiting for \(what)"
            case .unexpected(let what): "unexpected: \(what)"
            }
        }
    }

    private enum Command: Sendable {
        case text(String)
        case binary(ByteBuffer)
        case close
    }

    private struct Queue {
        var events: [Event] = []
        var waiter: CheckedContinuation<Event?, Never>?
        var waiterID = 0
    }

    private let queue = Box(Queue())
    private let commands: AsyncStream<Command>.Continuation
    private let task = Box<Task<Void, Never>?>(nil)

    /// Opens `url`; with `reading: false` the socket never reads (a slow consumer).
    public init(_ url: String, reading: Bool = true) {
        let (commandStream, commands) = AsyncStream<Command>.makeStream()
        self.commands = commands
        let t = Task { [queue] in
            var logger = Logger(label: "test.ws")
            logger.logLevel = .critical
            do {
                try await WebSocketClient.connect(
                    url: url, configuration: .init(maxFrameSize: 1 << 20, autoPing: .disabled), logger: logger
                ) { inbound, outbound, _ in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await command in commandStream {
                                switch command {
                                case .text(let t): try await outbound.write(.text(t))
                                case .binary(let b): try await outbound.write(.binary(b))
                                case .close: return
                                }
                            }
                        }
                        group.addTask {
                            guard reading else {
                                try await Task.sleep(for: .seconds(3600))
                                return
                            }
                            for try await message in inbound.messages(maxSize: 1 << 20) {
                                switch message {
                                case .text(let t): Self.deliver(Event.text(t), to: queue)
                                case .binary(let b): Self.deliver(.binary(Array(b.readableBytesView)), to: queue)
                                }
                            }
                        }
                        _ = try await group.next()
                        group.cancelAll()
                    }
                }
            } catch {}
            Self.deliver(.closed, to: queue)
        }
        task.withLock { $0 = t }
    }

    private static func deliver(_ event: Event, to queue: Box<Queue>) {
        let waiter: CheckedContinuation<Event?, Never>? = queue.withLock { q in
            if let w = q.waiter {
                q.waiter = nil
                return w
            }
            q.events.append(event)
            return nil
        }
        waiter?.resume(returning: event)
    }

    public func send(_ message: RelayMessage) { commands.yield(.text(message.jsonText)) }
    public func sendText(_ text: String) { commands.yield(.text(text)) }
    public func sendBinary(_ bytes: [UInt8]) { commands.yield(.binary(ByteBuffer(bytes: bytes))) }
    /// Closes the socket from this side (a WebSocket close handshake).
    public func close() { commands.yield(.close) }

    /// The next event, or `nil` after `timeout`.
    public func next(timeout: Duration = .seconds(5)) async -> Event? {
        let id: Int = queue.withLock { q in
            q.waiterID += 1
            return q.waiterID
        }
        return await withCheckedContinuation { (c: CheckedContinuation<Event?, Never>) in
            let ready: Event? = queue.withLock { q in
                if !q.events.isEmpty { return q.events.removeFirst() }
                q.waiter = c
                return nil
            }
            if let ready {
                c.resume(returning: ready)
                return
            }
            Task { [queue] in
                try? await Task.sleep(for: timeout)
                let w: CheckedContinuation<Event?, Never>? = queue.withLock { q in
                    guard q.waiterID == id, let w = q.waiter else { return nil }
                    q.waiter = nil
                    return w
                }
                w?.resume(returning: nil)
            }
        }
    }

    /// The next relay control message (fails on binary, close or timeout).
    public func nextMessage(timeout: Duration = .seconds(5)) async throws -> RelayMessage {
        switch await next(timeout: timeout) {
        case .text(let t): return try RelayMessage.decode(t)
        case .binary(let b): throw Failure.unexpected("binary frame of \(b.count) bytes")
        case .closed: throw Failure.unexpected("socket closed")
        case nil: throw Failure.timeout("a relay message")
        }
    }

    /// The next binary frame (fails otherwise).
    public func nextBinary(timeout: Duration = .seconds(5)) async throws -> [UInt8] {
        switch await next(timeout: timeout) {
        case .binary(let b): return b
        case .text(let t): throw Failure.unexpected("text \(t)")
        case .closed: throw Failure.unexpected("socket closed")
        case nil: throw Failure.timeout("a binary frame")
        }
    }

    /// Waits until the socket is closed, skipping anything received before; `false` on timeout.
    public func waitForClose(timeout: Duration = .seconds(5)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            switch await next(timeout: deadline - ContinuousClock.now) {
            case .closed: return true
            case nil: return false
            default: continue
            }
        }
        return false
    }

    deinit {
        commands.finish()
        task.withLock { $0?.cancel() }
    }
}

/// A lock-protected value that escaping closures can capture.
public final class Box<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    public init(_ value: Value) { mutex = Mutex(value) }
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R { try mutex.withLock { try body(&$0) } }
}
