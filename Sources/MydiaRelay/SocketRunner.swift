import HummingbirdWebSocket
import NIOCore

/// Runs one WebSocket: a writer task draining the socket's ``Outbox``, a reader task, a watch for
/// its end, and an optional deadline. The socket ends when the first of these ends it: the reader
/// when the peer goes away (or broke a rule), the writer once it sent a queued `closeSocket`, the
/// watch when the outbox was terminated or a queued close did not get out within the grace (a
/// peer that does not read never sees it), the deadline at once when it expires — never queued
/// behind data the peer is not reading (PROTOCOL.md §12.4).
enum SocketRunner {
    private enum Ended { case reader, writer, closed, deadlineMet }

    /// How long a queued `closeSocket` may wait behind data before the socket ends anyway.
    static let closeGrace: Duration = .seconds(2)

    /// - Parameters:
    ///   - outbox: the socket's output queue.
    ///   - outbound: the socket's writer.
    ///   - gauge: counts the socket while it runs.
    ///   - deadline: if set, `expired()` is asked after this long; `true` ends the socket.
    ///   - read: the reader; returning or throwing ends the socket.
    static func run(
        outbox: Outbox, outbound: WebSocketOutboundWriter, gauge: SocketGauge,
        deadline: (after: Duration, expired: @Sendable () -> Bool)?,
        read: @escaping @Sendable () async throws -> Void
    ) async throws {
        gauge.opened(outbox)
        defer { gauge.closed(outbox) }
        try await withThrowingTaskGroup(of: Ended.self) { group in
            group.addTask {
                await drain(outbox, into: outbound)
                return .writer
            }
            group.addTask {
                try await read()
                return .reader
            }
            group.addTask {
                await outbox.waitForClose()
                if !outbox.isTerminated { try? await Task.sleep(for: closeGrace) }
                return .closed
            }
            if let deadline {
                group.addTask {
                    try await Task.sleep(for: deadline.after)
                    guard deadline.expired() else { return .deadlineMet }
                    outbox.terminate()
                    return .closed
                }
            }
            defer { outbox.terminate() }  // the socket is gone: release every waiter
            while let ended = try await group.next() {
                if ended == .deadlineMet { continue }
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
