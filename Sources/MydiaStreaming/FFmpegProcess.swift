import Foundation
import MydiaSystem
import MydiaWire

#if canImport(Glibc)
import Glibc
#endif

/// One running ffmpeg/ffprobe child process.
///
/// The child gets a minimal environment (no secrets of the server's environment reach it), its
/// stdin and stdout are `/dev/null` or a file, and its stderr goes to a log file — never to the
/// server's terminal. It starts with no signal blocked (``ChildProcess``, PROTOCOL.md §13.76), so
/// `stop` ends it with SIGTERM, as ffmpeg expects, and SIGKILL is only the fallback.
final class FFmpegProcess: Sendable {
    private let child: ChildProcess

    /// The child's process id.
    var processIdentifier: Int32 { child.processIdentifier }

    /// The environment every child runs with: enough to find shared libraries, nothing more.
    static let environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "LC_ALL": "C"]

    /// Starts `executable` with `arguments`.
    /// - Parameters:
    ///   - stdout: where standard output goes; `nil` → `/dev/null`.
    ///   - log: the file that receives standard error (created 0600 if missing, appended to).
    init(executable: URL, arguments: [String], stdout: URL?, log: URL) throws {
        let output = try stdout.map { try Self.writeHandle($0, append: false) }
        let errors = try Self.writeHandle(log, append: true)
        // The child has its own copies of the descriptors; ours close when the handles go.
        child = try ChildProcess(executable: executable.path, arguments: arguments, environment: Self.environment,
                                 stdout: output.map { .descriptor($0.fileDescriptor) } ?? .null,
                                 stderr: .descriptor(errors.fileDescriptor))
    }

    /// Starts `executable` with `arguments`, its standard output read line by line as ``OutputLines``
    /// allows (see there), its standard error appended to `log`.
    static func withOutputLines(executable: URL, arguments: [String], log: URL) throws
        -> (process: FFmpegProcess, lines: OutputLines)
    {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw CocoaError(.fileWriteUnknown) }
        for fd in ends { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        // The smallest pipe (one page): a writer that is not read from blocks soon.
        _ = fcntl(ends[1], OutputLines.setPipeSize, 4096)
        let process: FFmpegProcess
        do {
            process = try FFmpegProcess(executable: executable, arguments: arguments, stdoutDescriptor: ends[1], log: log)
        } catch {
            close(ends[0])
            close(ends[1])
            throw error
        }
        close(ends[1])  // only the child writes now, so reading ends when it exits
        return (process, OutputLines(descriptor: ends[0]))
    }

    private init(executable: URL, arguments: [String], stdoutDescriptor: Int32, log: URL) throws {
        let errors = try Self.writeHandle(log, append: true)
        child = try ChildProcess(executable: executable.path, arguments: arguments, environment: Self.environment,
                                 stdout: .descriptor(stdoutDescriptor), stderr: .descriptor(errors.fileDescriptor))
    }

    /// The exit status once the child has exited (128 + signal number when killed), else `nil`.
    var exitCode: Int32? { child.exitStatus }

    /// Waits until the child exits and returns its exit status.
    func waitForExit() async -> Int32 { await child.waitForExit() }

    /// Asks the child to stop (SIGTERM), and kills it (SIGKILL) if it has not exited after `grace`.
    /// Returns once it has exited.
    func stop(grace: Duration = .seconds(2)) async {
        await child.stop(sending: SIGTERM, grace: grace)
    }

    /// Asks the child to stop (SIGTERM) without waiting.
    func terminate() { child.send(SIGTERM) }


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
