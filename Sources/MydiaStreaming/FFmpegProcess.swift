import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One running ffmpeg/ffprobe child process.
///
/// The child gets a minimal environment (no secrets of the server's environment reach it), its
/// stdin and stdout are `/dev/null` or a file, and its stderr goes to a log file — never to the
/// server's terminal. Exit is observed through `Process.terminationHandler`.
///
/// `@unchecked Sendable`: `lock` guards `exitStatus` and `waiters`; `process` is only configured
/// before `run()` and afterwards touched through its own thread-safe accessors and `kill(2)`.
final class FFmpegProcess: @unchecked Sendable {
    private let process: Process
    private let lock = NSLock()
    private var exitStatus: Int32?
    private var waiters: [CheckedContinuation<Int32, Never>] = []

    /// The child's process id.
    var processIdentifier: Int32 { process.processIdentifier }

    /// The environment every child runs with: enough to find shared libraries, nothing more.
    static let environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "LC_ALL": "C"]

    /// Starts `executable` with `arguments`.
    /// - Parameters:
    ///   - stdout: where standard output goes; `nil` → `/dev/null`.
    ///   - log: the file that receives standard error (created 0600 if missing, appended to).
    init(executable: URL, arguments: [String], stdout: URL?, log: URL) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = Self.environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try stdout.map { try Self.writeHandle($0, append: false) } ?? FileHandle.nullDevice
        process.standardError = try Self.writeHandle(log, append: true)
        self.process = process
        process.terminationHandler = { [weak self] finished in
            self?.finish(status: finished.terminationReason == .exit ? finished.terminationStatus : 128 + finished.terminationStatus)
        }
        try process.run()
    }

    /// The exit status once the child has exited (128 + signal number when killed), else `nil`.
    var exitCode: Int32? {
        lock.withLock { exitStatus }
    }

    /// Waits until the child exits and returns its exit status.
    func waitForExit() async -> Int32 {
        await withCheckedContinuation { continuation in
            let status: Int32? = lock.withLock {
                if let exitStatus { return exitStatus }
                waiters.append(continuation)
                return nil
            }
            if let status { continuation.resume(returning: status) }
        }
    }

    /// Asks the child to stop (SIGTERM), and kills it (SIGKILL) if it has not exited after `grace`.
    /// Returns once it has exited.
    func stop(grace: Duration = .seconds(2)) async {
        guard exitCode == nil else { return }
        kill(processIdentifier, SIGTERM)
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
            // The waiting child task only finishes once the process is gone, so the group
            // (and this method) returns after the exit either way.
            if !exitedInTime, exitCode == nil { kill(processIdentifier, SIGKILL) }
        }
    }

    private func finish(status: Int32) {
        let toResume: [CheckedContinuation<Int32, Never>] = lock.withLock {
            exitStatus = status
            defer { waiters.removeAll() }
            return waiters
        }
        for waiter in toResume { waiter.resume(returning: status) }
    }

    /// The last line ffmpeg wrote to `log`, for a one-line failure report in the server's log.
    /// ffmpeg's log holds file paths and codec diagnostics, never secrets or media bytes.
    static func lastLogLine(_ log: URL, maxBytes: Int = 512) -> String {
        guard let handle = try? FileHandle(forReadingFrom: log) else { return "" }
        defer { try? handle.close() }
        let end = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: end > UInt64(maxBytes) ? end - UInt64(maxBytes) : 0)
        let data = (try? handle.readToEnd()) ?? Data()
        let text = String(decoding: data, as: UTF8.self)
        return text.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
    }

    private static func writeHandle(_ url: URL, append: Bool) throws -> FileHandle {
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC)
        let fd = open(url.path, flags, 0o600)
        guard fd >= 0 else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: url.path])
        }
        return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }
}
