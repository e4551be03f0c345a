import Foundation
import MydiaConnection
import Synchronization

/// Instant start (issue 20 §4): the first bytes of the direct-play file, fetched by the check that
/// the server serves it (so while mpv is still starting), answer mpv's first request for the file
/// from memory; the rest of that response streams from the server, asked for at once. Every other
/// request, and a second one for the file, goes to `base` as it is.
final class PrefetchingUpstream: MediaUpstream {
    /// The first bytes of one file, and what the server said about it.
    struct Prefetch: Sendable {
        /// The upstream target (`/api/v1/stream/file/<id>`).
        var target: String
        /// Bytes `0..<head.count` of the file.
        var head: [UInt8]
        /// The file's size (from `content-range`).
        var total: Int
        /// The server's headers (`content-type`, `etag`, `last-modified`, …).
        var headers: [String: String]

        /// The prefetch of a `206` answer to `bytes=0-…`; nil when the answer is not one.
        init?(target: String, response: PathResponse, head: [UInt8]) {
            guard response.status == 206, let range = response.headers["content-range"],
                  let slash = range.lastIndex(of: "/"), let total = Int(range[range.index(after: slash)...]),
                  range.hasPrefix("bytes 0-"), head.count <= total, !head.isEmpty else { return nil }
            self.target = target
            self.head = head
            self.total = total
            self.headers = response.headers
        }
    }

    let base: any MediaUpstream
    // One-shot: taken by the first matching request (a lock guards it).
    private let held: Mutex<Prefetch?>

    init(base: any MediaUpstream, prefetch: Prefetch?) {
        self.base = base
        held = Mutex(prefetch)
    }

    func currentPath() async -> PathKind? { await base.currentPath() }

    func send(_ request: PathRequest) async throws -> PathResponse {
        guard request.method == "GET", let prefetch = take(for: request) else { return try await base.send(request) }
        let ranged = request.headers["range"] != nil
        var headers = prefetch.headers
        headers["content-length"] = String(prefetch.total)
        headers["accept-ranges"] = "bytes"
        if ranged {
            headers["content-range"] = "bytes 0-\(prefetch.total - 1)/\(prefetch.total)"
        } else {
            headers.removeValue(forKey: "content-range")
        }
        // The rest is asked for now, not when the player has read the head.
        let rest: Task<PathResponse, any Error>? = prefetch.head.count < prefetch.total ? Task {
            var continuation = PathRequest(method: "GET", path: prefetch.target, headers: ["range": "bytes=\(prefetch.head.count)-"])
            if let etag = prefetch.headers["etag"] { continuation.headers["if-range"] = etag }
            return try await self.base.send(continuation)
        } : nil
        let body = AsyncThrowingStream<[UInt8], any Error> { continuation in
            let pump = Task {
                continuation.yield(prefetch.head)
                do {
                    if let rest {
                        let response = try await rest.value
                        // Anything but the rest of the same file would corrupt the body: cut it short.
                        guard response.status == 206 else { throw CancellationError() }
                        for try await chunk in response.body { continuation.yield(chunk) }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in
                pump.cancel()
                rest?.cancel()
            }
        }
        return PathResponse(status: ranged ? 206 : 200, headers: headers, body: body)
    }

    /// The prefetch, when `request` asks for the file from its first byte (no range, or
    /// `bytes=0-`) and it was not taken yet.
    private func take(for request: PathRequest) -> Prefetch? {
        held.withLock { held in
            guard let prefetch = held, request.path == prefetch.target else { return nil }
            if let range = request.headers["range"], range.replacingOccurrences(of: " ", with: "") != "bytes=0-" { return nil }
            held = nil
            return prefetch
        }
    }
}
