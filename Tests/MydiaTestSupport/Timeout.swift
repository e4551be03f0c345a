import MydiaSystem

/// Thrown by `withTimeout` when the limit passes first.
public struct TimeoutError: Error, CustomStringConvertible {
    public let what: String
    public init(what: String = "the operation") { self.what = what }
    public var description: String { "timed out waiting for \(what)" }
}

/// Runs `body`, failing with `TimeoutError` after `limit` of real time, so a bug fails a test
/// instead of hanging it. `body` is cancelled and left behind, never joined (``withDeadline``).
public func withTimeout<T: Sendable>(
    _ limit: Duration, _ what: String = "the operation",
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withDeadline(limit, timedOut: { TimeoutError(what: what) }, body)
}
