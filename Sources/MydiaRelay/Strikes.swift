import Synchronization

/// Bad requests counted on one socket (PROTOCOL.md §12.4): each is answered until the socket has
/// sent `limit` of them; the next one ends the socket without an answer, so garbage cannot make
/// the relay write without bound.
final class Strikes: Sendable {
    private let count = Mutex(0)
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Counts one bad request; `false` once the socket is past its limit.
    func record() -> Bool { count.withLock { $0 += 1; return $0 <= limit } }
}
