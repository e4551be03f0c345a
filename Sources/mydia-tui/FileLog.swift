import Foundation
import Logging
import MydiaWire
import Synchronization

/// Logs go to a file, never to the terminal (curses owns it in TUI mode, and stdout is for
/// results): `$XDG_STATE_HOME/mydia-tui/mydia-tui.log` (default `~/.local/state/…`), created 0600,
/// opened O_APPEND so concurrent processes interleave whole lines.
struct FileLogHandler: LogHandler {
    final class Sink: Sendable {
        let fd: Int32
        init?(path: String) {
            let dir = (path as NSString).deletingLastPathComponent
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            guard fd >= 0 else { return nil }
        }
        func write(_ line: String) {
            var bytes = Array(line.utf8)
            bytes.withUnsafeMutableBytes { _ = Glibc.write(fd, $0.baseAddress, $0.count) }
        }
        deinit { close(fd) }
    }

    static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/state")
        return ((base as NSString).appendingPathComponent("mydia-tui") as NSString).appendingPathComponent("mydia-tui.log")
    }

    let label: String
    let sink: Sink?
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        guard let sink else { return }
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let meta = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        sink.write("\(WireTime.formatMilliseconds(Date())) \(event.level) \(label): \(event.message)\(meta)\n")
    }
}

/// Sets up swift-log once for the process.
enum LogSetup {
    private static let once = OnceFlag()

    static func bootstrapOnce(level: Logger.Level) {
        if once.claim() { bootstrap(level: level) }
    }

    static func bootstrap(level: Logger.Level, path: String = FileLogHandler.defaultPath()) {
        let sink = FileLogHandler.Sink(path: path)
        LoggingSystem.bootstrap { label in FileLogHandler(label: label, sink: sink, logLevel: level) }
    }
}

/// True exactly once.
final class OnceFlag: Sendable {
    private let done = Mutex(false)
    func claim() -> Bool { done.withLock { d in defer { d = true }; return !d } }
}
