import Foundation

/// Turns SIGINT, SIGTERM and SIGHUP into a callback, so the app quits cleanly and restores the
/// terminal. The handlers are installed synchronously with `sigaction` (a Dispatch signal source
/// arms itself later, and a signal in that window was lost) and only write a byte to a pipe; a
/// small thread reads the pipe and calls back. Created before curses starts, so curses leaves
/// these signals alone. Default handlers come back on `cancel()`.
final class SignalForwarder: Sendable {
    private static let signals = [SIGINT, SIGTERM, SIGHUP]
    private let readEnd: Int32
    private let writeEnd: Int32

    init(_ handler: @escaping @Sendable () -> Void) {
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        readEnd = fds[0]
        writeEnd = fds[1]
        _ = fcntl(writeEnd, F_SETFL, O_NONBLOCK)
        signalPipeFD = fds[1]
        for sig in Self.signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = forwardSignal
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(sig, &action, nil)
        }
        let fd = readEnd
        let thread = Thread {
            var byte: UInt8 = 0
            while true {
                let n = read(fd, &byte, 1)
                if n == 1 {
                    if byte == 0 { return }  // cancel()
                    handler()
                } else if n == 0 || (n < 0 && errno != EINTR) {
                    return
                }
            }
        }
        thread.name = "mydia-tui signals"
        thread.start()
    }

    /// Restores the default handlers and ends the reading thread.
    func cancel() {
        for sig in Self.signals { signal(sig, SIG_DFL) }
        var stop: UInt8 = 0
        _ = write(writeEnd, &stop, 1)
    }
}

/// The write end of the signal pipe, for the C handler: written before any handler is installed,
/// then only read (from the handler), so no lock is needed (and none would be signal-safe).
nonisolated(unsafe) private var signalPipeFD: Int32 = -1

/// Async-signal-safe: one `write` of a non-zero byte.
private let forwardSignal: @convention(c) (Int32) -> Void = { _ in
    var byte: UInt8 = 1
    _ = write(signalPipeFD, &byte, 1)
}
