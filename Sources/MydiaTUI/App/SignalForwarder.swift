import Dispatch
import Foundation

/// Turns SIGINT, SIGTERM and SIGHUP into a callback (the app quits cleanly and restores the
/// terminal); the default handlers are restored on `cancel()`.
final class SignalForwarder: @unchecked Sendable {  // sources are set in init and only cancelled after
    private let sources: [any DispatchSourceSignal]
    private static let signals = [SIGINT, SIGTERM, SIGHUP]

    init(_ handler: @escaping @Sendable () -> Void) {
        sources = Self.signals.map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }

    func cancel() {
        sources.forEach { $0.cancel() }
        for sig in Self.signals { signal(sig, SIG_DFL) }
    }
}
