import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A child's standard output, read one line at a time and only as far as the reader allows: the
/// back-pressure that holds a segment run at the edge of its window (PROTOCOL.md §14.4).
///
/// The pipe is one page, so a child that writes long lines (ffmpeg's segment list with a long
/// entry prefix, ``HLSSessionManager/segmentListPadding``) blocks after a couple of unread lines —
/// ffmpeg writes a segment's list entry before it opens the next segment, so it stops making
/// segments exactly there, without signals or polling. ``grant(_:)`` lets more lines through;
/// ``release()`` reads everything from then on (a run being stopped must be able to exit).
final class OutputLines: Sendable {
    /// Linux's `F_SETPIPE_SZ` (not exported by the Glibc module).
    static let setPipeSize: Int32 = 1031

    /// The lines read, in order; it ends when the child closes its output.
    let lines: AsyncStream<String>
    private let permits = Mutex((count: 0, unlimited: false))
    private let wake = DispatchSemaphore(value: 0)

    init(descriptor: Int32) {
        let (lines, continuation) = AsyncStream.makeStream(of: String.self)
        self.lines = lines
        // One thread per run blocks on the pipe; runs are few (one live per session).
        Thread.detachNewThread { [self] in
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 512)
            reading: while true {
                waitForPermit()
                // Read until one whole line is pending (a little of the next may come along).
                while !pending.contains(10) {
                    let count = read(descriptor, &buffer, buffer.count)
                    if count < 0 && errno == EINTR { continue }
                    guard count > 0 else { break reading }
                    pending += buffer[..<count]
                }
                if let newline = pending.firstIndex(of: 10) {
                    continuation.yield(String(decoding: pending[..<newline], as: UTF8.self))
                    pending.removeSubrange(...newline)
                }
            }
            close(descriptor)
            continuation.finish()
        }
    }

    /// Lets `count` more lines be read.
    func grant(_ count: Int) {
        guard count > 0 else { return }
        permits.withLock { $0.count += count }
        wake.signal()
    }

    /// Lets every line be read from now on.
    func release() {
        permits.withLock { $0.unlimited = true }
        wake.signal()
    }

    private func waitForPermit() {
        while true {
            let allowed = permits.withLock { state -> Bool in
                if state.unlimited { return true }
                guard state.count > 0 else { return false }
                state.count -= 1
                return true
            }
            if allowed { return }
            wake.wait()
        }
    }
}
