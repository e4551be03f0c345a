import Foundation
import Synchronization

/// Owns the terminal: one dedicated thread runs curses — it reads keys (feeding `events`) and
/// draws the latest frame handed to `show(_:)` — so curses is never touched from two threads.
/// The thread sleeps in `poll` on the keyboard and a wake-up pipe; a 250 ms timeout lets curses
/// notice a SIGWINCH delivered to another thread.
public final class Terminal: Sendable {
    /// What the terminal reports.
    public enum Event: Sendable, Equatable {
        case key(Key)
        case resize(rows: Int, columns: Int)
        case mouse(MouseEvent)
    }

    /// Keys and resizes, in order. Finishes when the terminal stops.
    public let events: AsyncStream<Event>
    /// Size at start.
    public let initialSize: (rows: Int, columns: Int)
    /// The colour level curses chose.
    public let colorLevel: ColorLevel

    private let continuation: AsyncStream<Event>.Continuation
    private let shared = Shared()
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let input: Int32

    /// Starts curses on the process's terminal (fails before touching it when stdin/stdout is
    /// not a terminal or TERM is unknown).
    public init(theme: Theme, environment: [String: String], input: Int32 = 0, output: Int32 = 1, mouse: Bool = false) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw CursesScreen.Error.notATerminal }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        _ = fcntl(wakeRead, F_SETFL, O_NONBLOCK)
        _ = fcntl(wakeWrite, F_SETFL, O_NONBLOCK)
        self.input = input
        (events, continuation) = AsyncStream<Event>.makeStream()
        // curses starts on the thread that will own it; the result comes back through a semaphore.
        let started = DispatchSemaphore(value: 0)
        let box = StartBox()
        let thread = Thread { [wakeRead, continuation, shared] in
            let screen: CursesScreen
            do {
                screen = try CursesScreen(input: input, output: output, theme: theme, environment: environment, mouse: mouse)
            } catch {
                box.result = .failure(error)
                started.signal()
                return
            }
            box.result = .success((screen.size, screen.colorLevel))
            started.signal()
            Self.loop(screen, input: input, wake: wakeRead, events: continuation, shared: shared)
            screen.end()
            continuation.finish()
            let done = shared.finished.withLock { f -> [CheckedContinuation<Void, Never>] in defer { f = nil }; return f ?? [] }
            done.forEach { $0.resume() }
        }
        thread.name = "mydia-tui curses"
        thread.start()
        started.wait()
        switch box.result {
        case .success(let (size, level))?:
            initialSize = size
            colorLevel = level
        case .failure(let error)?:
            close(wakeRead)
            close(wakeWrite)
            throw error
        case nil:
            throw CursesScreen.Error.notATerminal
        }
    }

    /// Hands a frame to the curses thread; only the newest undrawn frame is drawn.
    public func show(_ frame: Frame) {
        shared.pending.withLock { $0.frame = frame }
        wake()
    }

    /// Restores the terminal and waits until curses has ended.
    public func stop() async {
        shared.pending.withLock { $0.stop = true }
        wake()
        await withCheckedContinuation { c in
            let already = shared.finished.withLock { f -> Bool in
                guard f != nil else { return true }
                f!.append(c)
                return false
            }
            if already { c.resume() }
        }
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private static func loop(_ screen: CursesScreen, input: Int32, wake: Int32,
                             events: AsyncStream<Event>.Continuation,
                             shared: Shared) {
        var fds = [pollfd(fd: input, events: Int16(POLLIN), revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
        var drain = [UInt8](repeating: 0, count: 64)
        while true {
            fds[0].revents = 0
            fds[1].revents = 0
            let n = poll(&fds, 2, 250)
            if n < 0 && errno != EINTR { break }
            if fds[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
                // The terminal went away (closed tmux pane, hung-up ssh): stop as on SIGHUP.
                break
            }
            // Keys (and a resize noticed by curses) — also on timeout and EINTR.
            while let got = screen.read() {
                switch got {
                case .key(let key): events.yield(.key(key))
                case .mouse(let event): events.yield(.mouse(event))
                case .resize:
                    let size = screen.size
                    events.yield(.resize(rows: size.rows, columns: size.columns))
                }
            }
            if fds[1].revents & Int16(POLLIN) != 0 { while read(wake, &drain, drain.count) > 0 {} }
            let (frame, stop) = shared.pending.withLock { p in
                defer { p.frame = nil }
                return (p.frame, p.stop)
            }
            if stop { return }
            if let frame { screen.draw(frame) }
        }
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }
}

/// The state the curses thread and callers share, each part under its own lock.
private final class Shared: Sendable {
    let pending = Mutex<(frame: Frame?, stop: Bool)>((nil, false))
    let finished = Mutex<[CheckedContinuation<Void, Never>]?>([])
}

/// Carries the start result out of the curses thread (written before the semaphore is
/// signalled, read after it is waited on).
private final class StartBox: @unchecked Sendable {
    var result: Result<((rows: Int, columns: Int), ColorLevel), any Error>?
}
