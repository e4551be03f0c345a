import MydiaSystem

/// Runs one database operation with a hard time bound. The operation runs in its own task so that
/// a query stuck on a dead socket (which does not answer cancellation) cannot hold the caller: the
/// caller gets `StoreUnavailable` at the deadline and the stray task is cancelled and left to end.
enum StoreDeadline {
    static func run<T: Sendable>(
        within limit: Duration, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withDeadline(limit, timedOut: { StoreUnavailable.timedOut }, operation)
    }
}

/// The fleet's database could not answer in time (or at all).
enum StoreUnavailable: Swift.Error, CustomStringConvertible {
    /// The query (or the wait for a connection) passed its deadline.
    case timedOut
    /// The schema is not in place yet (the database has been unreachable since the node started).
    case notReady
    /// The database answered with an error.
    case failed(String)

    var description: String {
        switch self {
        case .timedOut: "the database did not answer in time"
        case .notReady: "the database has not been reachable since this node started"
        case .failed(let why): "the database failed: \(why)"
        }
    }
}
