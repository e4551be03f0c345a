import Logging
import MydiaConnection
@testable import MydiaPlayback
import Synchronization
import Testing

/// The direct-play prefetch (issue 20 §4): the file's first MiB and last 256 KiB, asked for with the
/// check, answer every request of the player that begins inside them — the opening read, the seek
/// to an MP4's `moov` at the end, the seek back — from memory, with no request to the server; past
/// them the same body goes on with the server's bytes, byte for byte.
@Suite struct PrefetchingUpstreamTests {
    /// Serves one file's bytes by Range (`a-b`, `a-`, `-n`), as the server's file route does;
    /// records every request.
    final class FileServer: MediaUpstream {
        let bytes: [UInt8]
        let etag: String
        let requests = Mutex<[PathRequest]>([])
        init(size: Int, etag: String = "\"v1\"") {
            bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) }
            self.etag = etag
        }

        var count: Int { requests.withLock { $0.count } }

        func send(_ request: PathRequest) async throws -> PathResponse {
            requests.withLock { $0.append(request) }
            var from = 0, to = bytes.count - 1
            if let range = request.headers["range"]?.dropFirst("bytes=".count) {
                let parts = range.split(separator: "-", omittingEmptySubsequences: false)
                if parts[0].isEmpty {
                    from = max(0, bytes.count - (Int(parts[1]) ?? 0))
                } else {
                    from = Int(parts[0]) ?? 0
                    if parts.count > 1, let end = Int(parts[1]) { to = min(end, bytes.count - 1) }
                }
            }
            let slice = Array(bytes[from...to])
            let body = AsyncThrowingStream<[UInt8], any Error> { c in
                var offset = 0
                while offset < slice.count {
                    c.yield(Array(slice[offset..<min(offset + 10_000, slice.count)]))
                    offset += 10_000
                }
                c.finish()
            }
            return PathResponse(status: 206, headers: ["content-range": "bytes \(from)-\(to)/\(bytes.count)", "content-length": "\(slice.count)",
                                                       "content-type": "video/mp4", "etag": etag], body: body)
        }

        func currentPath() async -> PathKind? { .direct }
    }

    static let target = "/api/v1/stream/file/f1"

    static func read(_ response: PathResponse) async throws -> [UInt8] {
        var all: [UInt8] = []
        for try await chunk in response.body { all += chunk }
        return all
    }

    /// What the direct-play check asks for, from `server` (the tail from `tailServer`): the window
    /// in pieces of `piece` bytes, then the tail.
    static func prefetch(_ server: FileServer, tailFrom tailServer: FileServer? = nil, window: Int = FilePrefetch.windowBytes,
                         piece: Int = FilePrefetch.windowBytes) async throws -> FilePrefetch? {
        let head = try await server.send(PathRequest(method: "GET", path: target, headers: ["range": "bytes=0-\(piece - 1)"]))
        var rest: [PathResponse?] = []
        for start in stride(from: piece, to: window, by: piece) {
            rest.append(try await server.send(PathRequest(method: "GET", path: target, headers: ["range": "bytes=\(start)-\(start + piece - 1)"])))
        }
        rest.append(try await (tailServer ?? server).send(PathRequest(method: "GET", path: target, headers: ["range": "bytes=-\(FilePrefetch.tailBytes)"])))
        return FilePrefetch(target: target, head: head, rest: rest)
    }

    static func get(_ upstream: any MediaUpstream, _ range: String?, path: String = target) async throws -> PathResponse {
        try await upstream.send(PathRequest(method: "GET", path: path, headers: range.map { ["range": $0] } ?? [:]))
    }

    @Test func mp4OpeningReadsTheStartTheEndAndTheStartAgainWithoutAServerRequest() async throws {
        let server = FileServer(size: 3 << 20)
        let prefetch = try #require(try await Self.prefetch(server))
        #expect(prefetch.buffers.count == 2 && prefetch.total == 3 << 20)
        let upstream = PrefetchingUpstream(base: server, prefetch: prefetch, logger: .init(label: "test"))
        let asked = server.count

        // The opening read (mpv's `bytes=0-`, cut after the box headers), then `moov` at the end,
        // then the first frames from just after `ftyp`.
        let opening = try await Self.get(upstream, "bytes=0-")
        #expect(opening.status == 206 && opening.headers["content-range"] == "bytes 0-\(server.bytes.count - 1)/\(server.bytes.count)")
        #expect(opening.headers["content-length"] == "\(server.bytes.count)" && opening.headers["etag"] == "\"v1\"")
        var iterator = opening.body.makeAsyncIterator()
        let firstChunk = try #require(try await iterator.next())
        #expect(Array(server.bytes.prefix(firstChunk.count)) == firstChunk)
        let moovAt = server.bytes.count - 100_000
        let moov = try await Self.get(upstream, "bytes=\(moovAt)-")
        #expect(moov.headers["content-range"] == "bytes \(moovAt)-\(server.bytes.count - 1)/\(server.bytes.count)")
        #expect(try await Self.read(moov) == Array(server.bytes[moovAt...]))
        let frames = try await Self.get(upstream, "bytes=48-200047")
        #expect(frames.headers["content-length"] == "200000")
        #expect(try await Self.read(frames) == Array(server.bytes[48...200_047]))
        let suffix = try await Self.read(try await Self.get(upstream, "bytes=-5000"))
        #expect(suffix == Array(server.bytes.suffix(5000)))
        #expect(server.count == asked)
    }

    @Test func pastTheWindowTheSameBodyGoesOnFromTheServerTiedToTheVersion() async throws {
        let server = FileServer(size: 3 << 20)
        let prefetch = try #require(try await Self.prefetch(server))
        let upstream = PrefetchingUpstream(base: server, prefetch: prefetch, logger: .init(label: "test"))
        let asked = server.count
        let whole = try await Self.get(upstream, nil)
        #expect(whole.status == 200 && whole.headers["content-range"] == nil)
        #expect(try await Self.read(whole) == server.bytes)
        let continued = server.requests.withLock { Array($0.dropFirst(asked)) }
        #expect(continued.map { $0.headers["range"] } == ["bytes=\(FilePrefetch.windowBytes)-"])
        #expect(continued.first?.headers["if-range"] == "\"v1\"")

        // A closed range across the window's end asks for exactly what is missing.
        let across = try await Self.get(upstream, "bytes=\(FilePrefetch.windowBytes - 10)-\(FilePrefetch.windowBytes + 9)")
        #expect(try await Self.read(across) == Array(server.bytes[(FilePrefetch.windowBytes - 10)...(FilePrefetch.windowBytes + 9)]))
        #expect(server.requests.withLock { $0.last?.headers["range"] } == "bytes=\(FilePrefetch.windowBytes)-\(FilePrefetch.windowBytes + 9)")
    }

    @Test func overTheRelayTheWindowComesInPiecesAndABodyRunsAcrossThem() async throws {
        let server = FileServer(size: 3 << 20)
        let prefetch = try #require(try await Self.prefetch(server, window: FilePrefetch.relayWindowBytes, piece: FilePrefetch.relayPieceBytes))
        #expect(prefetch.buffers.map { $0.start } == [0, 1 << 18, (3 << 20) - FilePrefetch.tailBytes])
        let upstream = PrefetchingUpstream(base: server, prefetch: prefetch, logger: .init(label: "test"))
        let asked = server.count
        let across = try await Self.get(upstream, "bytes=100-\(FilePrefetch.relayWindowBytes - 1)")
        #expect(try await Self.read(across) == Array(server.bytes[100..<FilePrefetch.relayWindowBytes]))
        #expect(server.count == asked)
        // A piece the server would not give (here: another version) leaves a gap the server fills.
        let changed = FileServer(size: 3 << 20, etag: "\"v2\"")
        let head = try await server.send(PathRequest(method: "GET", path: Self.target, headers: ["range": "bytes=0-262143"]))
        let gap = try await changed.send(PathRequest(method: "GET", path: Self.target, headers: ["range": "bytes=262144-524287"]))
        let third = try await server.send(PathRequest(method: "GET", path: Self.target, headers: ["range": "bytes=524288-786431"]))
        let holed = try #require(FilePrefetch(target: Self.target, head: head, rest: [gap, third]))
        #expect(holed.buffers.map { $0.start } == [0, 524_288])
        let before = server.count
        let body = try await Self.read(try await Self.get(PrefetchingUpstream(base: server, prefetch: holed, logger: .init(label: "test")), "bytes=0-600000"))
        #expect(body == Array(server.bytes[0...600_000]))
        #expect(server.requests.withLock { $0.dropFirst(before).map { $0.headers["range"] } } == ["bytes=262144-600000"])
    }

    @Test func aSeekOutsideThePrefetchAndOtherFilesGoToTheServerAsTheyAre() async throws {
        let server = FileServer(size: 3 << 20)
        let prefetch = try #require(try await Self.prefetch(server))
        let upstream = PrefetchingUpstream(base: server, prefetch: prefetch, logger: .init(label: "test"))
        let asked = server.count
        #expect(try await Self.read(try await Self.get(upstream, "bytes=2000000-")) == Array(server.bytes[2_000_000...]))
        _ = try await Self.read(try await Self.get(upstream, "bytes=0-", path: "/api/v1/stream/file/other"))
        _ = try await Self.read(try await Self.get(upstream, "bytes=0-9,20-29"))
        var stale = PathRequest(method: "GET", path: Self.target, headers: ["range": "bytes=0-99", "if-range": "\"v0\""])
        _ = try await Self.read(try await upstream.send(stale))
        stale.method = "HEAD"
        _ = try await upstream.send(stale)
        let forwarded = server.requests.withLock { Array($0.dropFirst(asked)) }
        #expect(forwarded.map { $0.headers["range"] } == ["bytes=2000000-", "bytes=0-", "bytes=0-9,20-29", "bytes=0-99", "bytes=0-99"])
    }

    @Test func aTailOfAnotherVersionOrOverlappingTheWindowIsNotKept() async throws {
        let server = FileServer(size: 3 << 20)
        let changed = FileServer(size: 3 << 20, etag: "\"v2\"")
        #expect(try await Self.prefetch(server, tailFrom: changed)?.buffers.count == 1)
        let small = FileServer(size: 1000)
        let whole = try #require(try await Self.prefetch(small))
        #expect(whole.buffers.count == 1 && whole.total == 1000)
        let upstream = PrefetchingUpstream(base: small, prefetch: whole, logger: .init(label: "test"))
        let asked = small.count
        #expect(try await Self.read(try await Self.get(upstream, "bytes=500-")) == Array(small.bytes[500...]))
        #expect(try await Self.read(try await Self.get(upstream, nil)) == small.bytes)
        #expect(small.count == asked)  // a small file is all window: no request at all
    }

    @Test func aHeadThatIsNotAPartialAnswerFromTheFirstByteIsNoPrefetch() async throws {
        let whole = PathResponse(status: 200, headers: ["content-length": "10"], body: AsyncThrowingStream { $0.yield([1]); $0.finish() })
        #expect(FilePrefetch(target: Self.target, head: whole, rest: []) == nil)
        let later = PathResponse(status: 206, headers: ["content-range": "bytes 5-9/10"], body: AsyncThrowingStream { $0.finish() })
        #expect(FilePrefetch(target: Self.target, head: later, rest: []) == nil)
    }

    @Test func aReaderWaitsForPrefetchedBytesStillOnTheirWay() async throws {
        let (body, feed) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let head = PathResponse(status: 206, headers: ["content-range": "bytes 0-9/10"], body: body)
        let prefetch = try #require(FilePrefetch(target: Self.target, head: head, rest: []))
        let server = FileServer(size: 10)
        let upstream = PrefetchingUpstream(base: server, prefetch: prefetch, logger: .init(label: "test"))
        let reader = Task { try await Self.read(try await Self.get(upstream, "bytes=2-")) }
        feed.yield([0, 1, 2, 3])
        try await Task.sleep(for: .milliseconds(20))
        feed.yield([4, 5, 6, 7, 8, 9])
        feed.finish()
        #expect(try await reader.value == [2, 3, 4, 5, 6, 7, 8, 9])
        #expect(server.count == 0)
    }

    @Test func aPrefetchCutShortIsContinuedFromTheServerWhereItStopped() async throws {
        let server = FileServer(size: 3 << 20)
        let (body, feed) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let head = PathResponse(status: 206, headers: ["content-range": "bytes 0-\(FilePrefetch.windowBytes - 1)/\(server.bytes.count)", "etag": "\"v1\""],
                                body: body)
        let prefetch = try #require(FilePrefetch(target: Self.target, head: head, rest: []))
        feed.yield(Array(server.bytes.prefix(1000)))
        feed.finish(throwing: CancellationError())  // the path went down under the prefetch
        let upstream = PrefetchingUpstream(base: server, prefetch: prefetch, logger: .init(label: "test"))
        #expect(try await Self.read(try await Self.get(upstream, "bytes=0-4999")) == Array(server.bytes.prefix(5000)))
        #expect(server.requests.withLock { $0.map { $0.headers["range"] } } == ["bytes=1000-4999"])
    }

    @Test func rangesAreReadAsOneSatisfiableSpanOrLeftToTheServer() {
        #expect(PrefetchingUpstream.range(nil, total: 100)! == (0, 99))
        #expect(PrefetchingUpstream.range("bytes=10-", total: 100)! == (10, 99))
        #expect(PrefetchingUpstream.range("bytes=10-1000", total: 100)! == (10, 99))
        #expect(PrefetchingUpstream.range("bytes=-30", total: 100)! == (70, 99))
        #expect(PrefetchingUpstream.range("bytes=-300", total: 100)! == (0, 99))
        for refused in ["bytes=100-", "bytes=5-4", "bytes=0-1,3-4", "bytes=-0", "items=0-1", "bytes=x-"] {
            #expect(PrefetchingUpstream.range(refused, total: 100) == nil, "\(refused)")
        }
    }
}
