import HummingbirdWebSocket
import NIOCore

/// Runs one WebSocket: a writer task draining the socket's ``Outbox`` and a reader task, plus an
/// optional deadline. Whichever of reader and writer ends first ends the socket: the reader when
/// the peer goes away, the writer when the relay queued `closeSocket`.
enum SocketRunner {
    private enum Ended { case reader, writer, deadline }

    /// - Parameters:
    ///   - outbox: the socket's output queue.
    ///   - outbound: the socket's writer.
    ///   - deadline: if set, `expired()` is asked after this long; `true` closes the socket.
    ///   - read: the reader; throwing closes the socket with the error's close code.
    static func run(
        outbox: Outbox, outbound: WebSocketOutboundWriter,
        deadline: (after: Duration, expired: @Sendable () -> Bool)?,
        read: @escaping @Sendable () async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Ended.self) { group in
            group.addTask {
                await drain(outbox, into: outbound)
                return .writer
            }
            group.addTask {
                try await read()
                return .reader
            }
            if let deadline {
                group.addTask {
                    try await Task.sleep(for: deadline.after)
                    if deadline.expired() { outbox.push(.closeSocket) }
                    return .deadline
                }
            }
            defer { outbox.shutdown() }
            while let ended = try await group.next() {
                if ended == .deadline { continue }
                group.cancelAll()
                return
            }
        }
    }

    private static func drain(_ outbox: Outbox, into outbound: WebSocketOutboundWriter) async {
        while let item = await outbox.next() {
            do {
                switch item {
                case .text(let text): try await outbound.write(.text(text))
                case .binary(let buffer): try await outbound.write(.binary(buffer))
                case .closeSocket: return
                }
            } catch {
                return
            }
        }
    }
}
