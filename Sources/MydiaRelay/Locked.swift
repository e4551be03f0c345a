import Synchronization

/// A value behind a lock, shareable between tasks and escaping closures (a `Mutex` itself is
/// non-copyable and cannot be captured by them).
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    /// Runs `body` with exclusive access to the value.
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        try mutex.withLock { try body(&$0) }
    }

    /// A copy of the current value.
    var value: Value { mutex.withLock { $0 } }
}
