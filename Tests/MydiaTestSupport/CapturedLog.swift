public import Logging
import Synchronization

/// Every log line, kept in memory for leak and secrecy scans: level, message and metadata as a
/// log file would hold them.
public final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])

    public init() {}

    /// The lines so far.
    public var all: [String] { lines.withLock { $0 } }

    /// A logger that writes here (at `trace` unless its level is changed).
    public func logger(_ label: String = "test") -> Logger {
        Logger(label: label) { _ in CapturingHandler(log: self) }
    }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }

    private struct CapturingHandler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            log.append("\(event.level) \(event.message) \(all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
        }
    }
}
