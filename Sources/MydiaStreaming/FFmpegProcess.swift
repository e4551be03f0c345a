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

    /// The exit status once the child has exited (128 + signal number when killed), else `nil`.
    var exitCode: Int32? { child.exitStatus }

    /// Waits until the child exits and returns its exit status.
    func waitForExit() async -> Int32 { await child.waitForExit() }

    /// Asks the child to stop (SIGTERM), and kills it (SIGKILL) if it has not exited after `grace`.
    /// Returns once it has exited. A paused child is woken first, or it could not act on SIGTERM.
    func stop(grace: Duration = .seconds(2)) async {
        child.send(SIGTERM)
        child.send(SIGCONT)
        await child.stop(sending: nil, grace: grace)
    }

    /// Asks the child to stop (SIGTERM, and SIGCONT in case it is paused) without waiting.
    func terminate() {
        child.send(SIGTERM)
        child.send(SIGCONT)
    }

    /// Freezes the child (SIGSTOP): it keeps its open files and goes on where it was on ``resume()``.
    func pause() { child.send(SIGSTOP) }

    /// Lets a child frozen by ``pause()`` go on (SIGCONT).
    func resume() { child.send(SIGCONT) }

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
