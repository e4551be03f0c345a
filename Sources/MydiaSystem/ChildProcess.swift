#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// A child program started with the signal state every program expects: no signal blocked, every
/// signal at its default action, and no descriptor of ours beyond the three standard ones
/// (PROTOCOL.md §13.76).
///
/// Foundation's `Process` hands the starting thread's blocked-signal mask to the child, and the
/// threads of Dispatch and of Swift's concurrency pool block nearly every signal. A child started
/// from async code therefore had SIGTERM, SIGINT and SIGWINCH blocked: ffmpeg could not be stopped
/// with SIGTERM (every stop waited out its grace period and ended in SIGKILL), and the openssl
/// reference server of the server bench outlived the bench. Here `posix_spawn` resets both
/// (`POSIX_SPAWN_SETSIGMASK`, `POSIX_SPAWN_SETSIGDEF`) and closes every descriptor from 3 up in
/// the child (`posix_spawn_file_actions_addclosefrom_np`), so no socket of the client or server
/// reaches mpv or ffmpeg even where one lacks close-on-exec. `swift-subprocess` resets the signals
/// too, but ties a child's life to one call's scope; mpv and ffmpeg outlive the call that starts
/// them, and what is needed here is this page.
public final class ChildProcess: Sendable {
    /// Where a standard stream of the child goes.
    public enum Stream: Sendable {
        /// The parent's own (a terminal, for mpv in the foreground).
        case inherit
        /// `/dev/null`.
        case null
        /// A descriptor of the caller's, duplicated for the child; the caller keeps and closes its own.
        case descriptor(Int32)
    }

    /// The child could not be started.
    public struct SpawnError: Swift.Error, CustomStringConvertible {
        public let code: Int32
        public let executable: String
        public var description: String { "\(executable) could not be started: \(String(cString: strerror(code)))" }
    }

    public let processIdentifier: Int32
    private struct State {
        var status: Int32?
        var waiters: [CheckedContinuation<Int32, Never>] = []
        /// Threads blocked in ``waitUntilExit()``.
        var blocked: [DispatchSemaphore] = []
    }
    private let state = Mutex(State())

    /// Starts `executable` (a path) with `arguments` (without argv[0]) and exactly `environment`.
    public init(executable: String, arguments: [String], environment: [String: String],
                stdin: Stream = .null, stdout: Stream = .null, stderr: Stream = .null) throws(SpawnError) {
        var attributes = posix_spawnattr_t()
        var actions = posix_spawn_file_actions_t()
        posix_spawnattr_init(&attributes)
        posix_spawn_file_actions_init(&actions)
        defer {
            posix_spawnattr_destroy(&attributes)
            posix_spawn_file_actions_destroy(&actions)
        }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        for (stream, target) in [(stdin, Int32(0)), (stdout, 1), (stderr, 2)] {
            switch stream {
            case .inherit: break
            case .null: posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            case .descriptor(let fd): posix_spawn_file_actions_adddup2(&actions, fd, target)
            }
        }
        if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, 3) }

        let argv = [executable] + arguments
        let envp = environment.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let rc = Self.withCStrings(argv) { argv in
            Self.withCStrings(envp) { envp in posix_spawn(&pid, executable, &actions, &attributes, argv, envp) }
        }
        guard rc == 0 else { throw SpawnError(code: rc, executable: executable) }
        processIdentifier = pid
        // One thread per child waits for it (children are few: an mpv, an ffmpeg per session).
        Thread.detachNewThread { [self] in reap() }
    }

    /// The exit status once the child has exited: its exit code, or 128 + the signal that ended it.
    public var exitStatus: Int32? { state.withLock { $0.status } }

    /// Whether the child has not exited yet.
    public var isRunning: Bool { exitStatus == nil }

    /// Sends `signal` unless the child has already exited.
    public func send(_ signal: Int32) {
        state.withLock { s in
            if s.status == nil { _ = kill(processIdentifier, signal) }
        }
    }

    /// Waits until the child exits; returns ``exitStatus``.
    public func waitForExit() async -> Int32 {
        await withCheckedContinuation { continuation in
            let status: Int32? = state.withLock { s in
                if s.status == nil { s.waiters.append(continuation) }
                return s.status
            }
            if let status { continuation.resume(returning: status) }
        }
    }

    /// Blocks the calling thread until the child exits; returns ``exitStatus``. For synchronous
    /// callers (a command's `run`, a thread of one's own); async code awaits ``waitForExit()``.
    public func waitUntilExit() -> Int32 {
        let exited = DispatchSemaphore(value: 0)
        let status: Int32? = state.withLock { s in
            if s.status == nil { s.blocked.append(exited) }
            return s.status
        }
        if let status { return status }
        exited.wait()
        return state.withLock { $0.status ?? -1 }  // set before the semaphore was signalled
    }

    /// Sends `signal` (none: the caller asked the child to quit some other way), waits up to
    /// `grace` for the child to exit and kills it (SIGKILL) if it has not. Returns its exit status
    /// once it has exited.
    @discardableResult
    public func stop(sending signal: Int32?, grace: Duration) async -> Int32 {
        if let signal { send(signal) }
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                _ = await self.waitForExit()
                return true
            }
            group.addTask {
                do {
                    try await Task.sleep(for: grace)
                    return false  // grace period over
                } catch {
                    return true  // cancelled: the child exited first
                }
            }
            let exitedInTime = await group.next() ?? true
            group.cancelAll()
            // Inside the group: it returns only once the waiting task has seen the exit.
            if !exitedInTime { send(SIGKILL) }
        }
        return await waitForExit()
    }

    private func reap() {
        var raw: Int32 = 0
        while waitpid(processIdentifier, &raw, 0) == -1 && errno == EINTR {}
        // WIFEXITED / WTERMSIG are macros, not imported: the low seven bits are the signal.
        let signal = raw & 0x7F
        let status = signal == 0 ? (raw >> 8) & 0xFF : 128 + signal
        // Recorded under the lock `send` takes, so no signal goes to a reaped (reusable) pid.
        let (waiters, blocked) = state.withLock { s in
            s.status = status
            defer { (s.waiters, s.blocked) = ([], []) }
            return (s.waiters, s.blocked)
        }
        for waiter in waiters { waiter.resume(returning: status) }
        for thread in blocked { thread.signal() }
    }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), looked up by name: the
    /// Glibc module does not export it. Without it the child keeps only descriptors opened without
    /// close-on-exec (NIO's sockets, our files and SQLite's have it).
    private static let addCloseFrom: AddCloseFrom? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddCloseFrom.self) }

    /// A NULL-terminated array of C strings that lives for the duration of `body`.
    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { for p in pointers { free(p) } }
        return body(pointers)
    }
}
