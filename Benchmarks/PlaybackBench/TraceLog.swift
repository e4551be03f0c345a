import Foundation
import Logging
import Synchronization

/// `MYDIA_BENCH_TRACE=1`: log lines with the milliseconds since ``mark()`` on stderr, to see where
/// a measured start spends its time (the playback's debug lines: proxy requests, delivery steps).
struct TraceLogHandler: LogHandler {
    static let origin = Mutex(ContinuousClock.now)

    /// Restarts the clock the lines are stamped with.
    static func mark() { origin.withLock { $0 = .now } }

    let label: String
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let elapsed = ContinuousClock.now - Self.origin.withLock { $0 }
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        let fields = metadata.merging(event.metadata ?? [:]) { $1 }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        FileHandle.standardError.write(Data(String(format: "[%7.1f ms] %@ %@\n", ms, "\(event.message)", fields).utf8))
    }
}
