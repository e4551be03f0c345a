import MydiaConnection

/// Instant start (issue 20 §4): the parts of a direct-play file a player reads while it opens it,
/// asked for together with the direct-play check and filled in memory from then on — the first
/// ``windowBytes`` (``relayWindowBytes`` over the relay: headers, the first frames) and the last
/// ``tailBytes`` (an MP4's `moov` written
/// at the end, Matroska's cues), so that opening the file costs the player no round trip to the
/// server. Filling runs in the background until the ranges are full or ``cancel()``.
final class FilePrefetch: Sendable {
    /// How much of the file's start is kept on the direct path (1 MiB: the headers and the first
    /// seconds).
    static let windowBytes = 1 << 20
    /// Over the relay: 512 KiB, so that window and tail (768 KiB) arriving at once stay below the
    /// 1 MiB the relay queues for a client before closing it as `slow_consumer` (§12.4).
    static let relayWindowBytes = 512 << 10
    /// Over the relay the window is asked for in pieces of one stream's initial credit (256 KiB,
    /// PROTOCOL.md §5.3), all at once: a piece larger than that would wait a round trip for the
    /// credit granted with its head (§13.35).
    static let relayPieceBytes = 256 << 10
    /// How much of the file's end is asked for (256 KiB: one stream's initial tunnel credit, so
    /// it costs no extra round trip; a short film's `moov`).
    static let tailBytes = 256 << 10

    /// The upstream target (`/api/v1/stream/file/<id>`).
    let target: String
    /// The file's size (from `content-range`).
    let total: Int
    /// The server's headers (`content-type`, `etag`, `last-modified`, …).
    let headers: [String: String]
    /// The file's first bytes, then (if asked and answered) its last ones.
    let buffers: [PrefetchBuffer]
    private let pumps: [Task<Void, Never>]

    /// The prefetch of `head`, the answer to `bytes=0-N`, and `rest`, the answers to the ranges
    /// asked for with it in file order (the window's next pieces, then `bytes=-M`); nil (every
    /// body dropped) when `head` is not a `206` from the first byte. An answer that is not a
    /// part of the same file past the ones kept so far (another version, a `416`, a tail inside
    /// the window) is dropped and not used.
    init?(target: String, head: PathResponse, rest: [PathResponse?]) {
        guard head.status == 206, let range = head.headers["content-range"].flatMap(Self.contentRange),
              range.first == 0, range.total > 0 else {
            Self.drop(head)
            for case let response? in rest { Self.drop(response) }
            return nil
        }
        self.target = target
        total = range.total
        headers = head.headers
        let window = PrefetchBuffer(start: 0, end: range.last + 1)
        var buffers = [window]
        var pumps = [Self.pump(head.body, into: window)]
        for case let response? in rest {
            guard response.status == 206, let part = response.headers["content-range"].flatMap(Self.contentRange),
                  part.total == range.total, part.first >= buffers[buffers.count - 1].end,
                  response.headers["etag"] == head.headers["etag"] else {
                Self.drop(response)
                continue
            }
            let buffer = PrefetchBuffer(start: part.first, end: part.last + 1)
            buffers.append(buffer)
            pumps.append(Self.pump(response.body, into: buffer))
        }
        self.buffers = buffers
        self.pumps = pumps
    }

    deinit { cancel() }

    /// Stops filling (what arrived stays readable).
    func cancel() {
        for pump in pumps { pump.cancel() }
    }

    /// The buffer holding `offset`, if any.
    func buffer(at offset: Int) -> PrefetchBuffer? { buffers.first { $0.covers(offset) } }

    private static func pump(_ body: AsyncThrowingStream<[UInt8], any Error>, into buffer: PrefetchBuffer) -> Task<Void, Never> {
        Task {
            do {
                // Read to its end (the asked range), so the request completes rather than being
                // cancelled (a direct connection stays reusable); a cancel drops the body, which
                // ends the request.
                for try await chunk in body { await buffer.append(chunk) }
            } catch {}
            await buffer.finish()
        }
    }

    /// Ends an unused response's request.
    static func drop(_ response: PathResponse) {
        Task {
            do { for try await _ in response.body { break } } catch {}
        }
    }

    /// `bytes first-last/total` with a known total.
    static func contentRange(_ header: String) -> (first: Int, last: Int, total: Int)? {
        guard header.hasPrefix("bytes "), let slash = header.lastIndex(of: "/"), let total = Int(header[header.index(after: slash)...]) else {
            return nil
        }
        let bounds = header[header.index(header.startIndex, offsetBy: 6)..<slash].split(separator: "-", maxSplits: 1)
        guard bounds.count == 2, let first = Int(bounds[0]), let last = Int(bounds[1]), first >= 0, last >= first, last < total else {
            return nil
        }
        return (first, last, total)
    }
}
