import Foundation
import Logging
import MydiaConnection

/// Instant start (issue 20 §4): the player's requests for the direct-play file that begin inside
/// a ``FilePrefetch`` buffer (its first MiB, its last 256 KiB) are answered from memory, as the
/// bytes arrive and across adjacent pieces, without a round trip to the server — the opening request, the seek to an MP4's
/// `moov` at the end and the seek back to the first frames alike. Past the buffer's end the same
/// response goes on with the file from the server, asked for by Range (tied to the version by
/// `If-Range`) when the buffer runs out. Every other request goes to `base` as it is.
final class PrefetchingUpstream: MediaUpstream {
    let base: any MediaUpstream
    let prefetch: FilePrefetch
    let logger: Logger
    /// How many bytes one body chunk carries at most when it comes from memory.
    static let chunkBytes = 64 << 10

    init(base: any MediaUpstream, prefetch: FilePrefetch, logger: Logger) {
        self.base = base
        self.prefetch = prefetch
        self.logger = logger
    }

    func currentPath() async -> PathKind? { await base.currentPath() }

    func send(_ request: PathRequest) async throws -> PathResponse {
        guard request.method == "GET", request.path == prefetch.target,
              request.headers["if-range"].map({ $0 == prefetch.headers["etag"] }) ?? true,
              let (first, last) = Self.range(request.headers["range"], total: prefetch.total),
              let buffer = prefetch.buffer(at: first) else {
            return try await base.send(request)
        }
        let ranged = request.headers["range"] != nil
        logger.debug("answered from the prefetch", metadata: ["range": "\(first)-\(last)"])
        var headers = prefetch.headers
        headers["content-length"] = String(last - first + 1)
        headers["accept-ranges"] = "bytes"
        if ranged {
            headers["content-range"] = "bytes \(first)-\(last)/\(prefetch.total)"
        } else {
            headers.removeValue(forKey: "content-range")
        }
        // Pulled chunk by chunk: the server's part is read only as fast as the player takes it.
        let cursor = Cursor(upstream: self, buffer: buffer, range: first...last)
        return PathResponse(status: ranged ? 206 : 200, headers: headers, body: AsyncThrowingStream(unfolding: { try await cursor.next() }))
    }

    /// The rest of the file from `offset` to `last`, from the server, tied to the same version.
    func rest(from offset: Int, to last: Int) async throws -> AsyncThrowingStream<[UInt8], any Error> {
        let end = last == prefetch.total - 1 ? "" : String(last)
        logger.debug("the prefetch ran out; the rest comes from the server", metadata: ["from": "\(offset)"])
        var rest = PathRequest(method: "GET", path: prefetch.target, headers: ["range": "bytes=\(offset)-\(end)"])
        if let etag = prefetch.headers["etag"] { rest.headers["if-range"] = etag }
        let response = try await base.send(rest)
        // Anything but the rest of the same file would corrupt the body: cut it short.
        guard response.status == 206, let answered = response.headers["content-range"].flatMap(FilePrefetch.contentRange),
              answered.first == offset else {
            FilePrefetch.drop(response)
            throw CancellationError()
        }
        return response.body
    }

    /// One answer's body: the buffer's bytes while it has them, then the server's. `next()` is
    /// called by the body's one iterator, one call at a time (which is why it may be unchecked).
    final class Cursor: @unchecked Sendable {
        let upstream: PrefetchingUpstream
        private var buffer: PrefetchBuffer
        let last: Int
        private var offset: Int
        private var rest: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator?

        init(upstream: PrefetchingUpstream, buffer: PrefetchBuffer, range: ClosedRange<Int>) {
            self.upstream = upstream
            self.buffer = buffer
            last = range.upperBound
            offset = range.lowerBound
        }

        func next() async throws -> [UInt8]? {
            guard offset <= last else { return nil }
            try Task.checkCancellation()
            while rest == nil {
                let chunk = await buffer.read(from: offset, limit: min(PrefetchingUpstream.chunkBytes, last - offset + 1))
                if !chunk.isEmpty {
                    offset += chunk.count
                    return chunk
                }
                // The next piece of the prefetch, if it starts right here; else the server.
                if let next = upstream.prefetch.buffer(at: offset), next !== buffer {
                    buffer = next
                } else {
                    rest = try await upstream.rest(from: offset, to: last).makeAsyncIterator()
                }
            }
            guard var chunk = try await rest?.next() else {
                throw CancellationError()  // the server's part ended short
            }
            if chunk.count > last - offset + 1 { chunk = Array(chunk.prefix(last - offset + 1)) }
            offset += chunk.count
            return chunk
        }
    }

    /// The inclusive byte range a `Range` header asks for in a file of `total` bytes (none: the
    /// whole file); nil for what is not one satisfiable range (it goes to the server as it is).
    static func range(_ header: String?, total: Int) -> (first: Int, last: Int)? {
        guard let header else { return (0, total - 1) }
        let spec = header.replacingOccurrences(of: " ", with: "")
        guard spec.hasPrefix("bytes="), !spec.contains(",") else { return nil }
        let parts = spec.dropFirst("bytes=".count).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        if parts[0].isEmpty {
            guard let length = Int(parts[1]), length > 0 else { return nil }
            return (max(0, total - length), total - 1)
        }
        guard let first = Int(parts[0]), first < total else { return nil }
        if parts[1].isEmpty { return (first, total - 1) }
        guard let last = Int(parts[1]), last >= first else { return nil }
        return (first, min(last, total - 1))
    }
}
