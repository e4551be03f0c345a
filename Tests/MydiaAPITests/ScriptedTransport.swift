import MydiaConnection
import Foundation
import MydiaAPI
import Synchronization

/// A transport that answers from a script — for behaviours a correct server never shows
/// (looping cursors, hostile strings, broken bodies). Everything else is tested against the real server.
final class ScriptedTransport: APITransport {
    /// Guarded by the mutex.
    private let replies: Mutex<[APIReply]>
    private let sent = Mutex<Int>(0)

    init(_ replies: [APIReply]) { self.replies = Mutex(replies) }

    var requestCount: Int { sent.withLock { $0 } }

    func send(_ request: APIRequestSpec) async throws -> APIReply {
        sent.withLock { $0 += 1 }
        return try replies.withLock { queue in
            guard !queue.isEmpty else { throw URLError(.cannotConnectToHost) }
            return queue.removeFirst()
        }
    }

    static func json(_ text: String, status: Int = 200) -> APIReply {
        APIReply(status: status, headers: ["Content-Type": "application/json"], body: Array(text.utf8))
    }
}
