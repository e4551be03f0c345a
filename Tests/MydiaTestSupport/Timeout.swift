/// Thrown by `withTimeout` when the limit passes first.
public struct TimeoutError: Error {
    public init() {}
}

/// Runs `body`, failing with `TimeoutError` after `limit`, so a bug fails a test instead of hanging it.
public func withTimeout<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw TimeoutError()
        }
        let first = try await group.next()!
        group.cancelAll()
        return first
    }
}
