import Foundation

/// Turns signals (SIGINT, SIGTERM, SIGHUP…) into a callback — the one way the three programs stop
/// cleanly on a signal. The handlers are installed synchronously with `sigaction` when the trap is
/// made (a Dispatch signal source arms itself later, and a signal in that window was lost) and
/// only write the signal's number to a pipe; a small thread reads the pipe and calls back.
/// Default handlers come back on `cancel()`. A process has one set of handlers, so one trap is
/// in force at a time: a newer one replaces an older one.
public final class SignalTrap: Sendable {
    private let signals: [Int32]
    private let writeEnd: Int32

    /// Installs the handlers now.
    /// - Parameters:
    ///   - signals: e.g. `[SIGINT, SIGTERM]`.
    ///   - handler: called on the trap's thread, once per signal delivered.
    public init(_ signals: [Int32], _ handler: @escaping @Sendable (Int32) -> Void) {
        self.signals = signals
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        let readEnd = fds[0]
        writeEnd = fds[1]
        _ = fcntl(writeEnd, F_SETFL, O_NONBLOCK)
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        signalPipeFD = writeEnd
        for sig in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = forwardSignal
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(sig, &action, nil)
        }
        let thread = Thread {
            var byte: UInt8 = 0
            while true {
                let n = read(readEnd, &byte, 1)
                if n == 1 {
                    if byte == 0 { break }  // cancel()
                    handler(Int32(byte))
                } else if n == 0 || (n < 0 && errno != EINTR) {
                    break
                }
            }
            close(readEnd)
        }
        thread.name = "signals"
        thread.start()
    }

    /// Restores the default handlers and ends the reading thread.
    public func cancel() {
        for sig in signals { signal(sig, SIG_DFL) }
        var stop: UInt8 = 0
        _ = write(writeEnd, &stop, 1)
        if signalPipeFD == writeEnd { signalPipeFD = -1 }
        close(writeEnd)
    }
}

/// The write end of the signal pipe, for the C handler: written before the handlers are installed,
/// then only read (from the handler), so no lock is needed (and none would be signal-safe).
nonisolated(unsafe) private var signalPipeFD: Int32 = -1

/// Async-signal-safe: one `write` of the signal's number (never 0).
private let forwardSignal: @convention(c) (Int32) -> Void = { sig in
    var byte = UInt8(truncatingIfNeeded: sig)
    _ = write(signalPipeFD, &byte, 1)
}
