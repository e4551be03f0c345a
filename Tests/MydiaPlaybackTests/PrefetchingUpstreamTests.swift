import MydiaConnection
@testable import MydiaPlayback
import Synchronization
import Testing

/// The direct-play prefetch: mpv's first request for the file is answered with the bytes the
/// check fetched, then the rest from the server, byte for byte, with headers for the whole file.
@Suite struct PrefetchingUpstreamTests {
    /// Serves one file's bytes by Range, as the server's file route does; records every request.
    final class FileServer: MediaUpstream {
        let bytes: [UInt8]
        let requests = Mutex<[PathRequest]>([])
        init(size: Int) { bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) } }

        func send(_ request: PathRequest) async throws -> PathResponse {
            requests.withLock { $0.append(request) }
            var from = 0, to = bytes.count - 1
            if let range = request.headers["range"]?.dropFirst("bytes=".count) {
                let parts = range.split(separator: "-", omittingEmptySubsequences: false)
                from = Int(parts[0]) ?? 0
                if parts.count > 1, let end = Int(parts[1]) { to = min(end, bytes.count - 1) }
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
                                                       "content-type": "video/mp4", "etag": "\"v1\""], body: body)
        }

        func currentPath() async -> PathKind? { .direct }
    }

    static func read(_ response: PathResponse) async throws -> [UInt8] {
        var all: [UInt8] = []
        for try await chunk in response.body { all += chunk }
        return all
    }

    @Test func theFirstRequestGetsTheHeadThenTheRestAndLaterOnesGoToTheServer() async throws {
        let server = FileServer(size: 300_000)
        let target = "/api/v1/stream/file/f1"
        let check = try await server.send(PathRequest(method: "GET", path: target, headers: ["range": "bytes=0-131071"]))
        let prefetch = try #require(PrefetchingUpstream.Prefetch(target: target, response: check, head: try await Self.read(check)))
        let upstream = PrefetchingUpstream(base: server, prefetch: prefetch)

        let first = try await upstream.send(PathRequest(method: "GET", path: target, headers: ["range": "bytes=0-"]))
        #expect(first.status == 206)
        #expect(first.headers["content-range"] == "bytes 0-299999/300000")
        #expect(first.headers["content-length"] == "300000")
        #expect(try await Self.read(first) == server.bytes)
        // The rest was asked for by Range from where the head ends, tied to the same version.
        let asked = server.requests.withLock { $0 }
        #expect(asked.last?.headers["range"] == "bytes=131072-")
        #expect(asked.last?.headers["if-range"] == "\"v1\"")

        // A second request for the file (a seek) goes to the server.
        let seek = try await upstream.send(PathRequest(method: "GET", path: target, headers: ["range": "bytes=0-"]))
        #expect(try await Self.read(seek) == server.bytes)
        #expect(server.requests.withLock { $0.count } == asked.count + 1)
    }

    @Test func onlyAFirstByteRequestForTheSameFileTakesThePrefetch() async throws {
        let server = FileServer(size: 1000)
        let target = "/api/v1/stream/file/f1"
        let check = try await server.send(PathRequest(method: "GET", path: target, headers: ["range": "bytes=0-131071"]))
        let prefetch = try #require(PrefetchingUpstream.Prefetch(target: target, response: check, head: try await Self.read(check)))
        #expect(prefetch.head.count == 1000)  // a small file is all head: no second request
        let upstream = PrefetchingUpstream(base: server, prefetch: prefetch)
        _ = try await Self.read(try await upstream.send(PathRequest(method: "GET", path: target, headers: ["range": "bytes=500-"])))
        _ = try await Self.read(try await upstream.send(PathRequest(method: "GET", path: "/api/v1/stream/file/other")))
        #expect(server.requests.withLock { $0.count } == 3)
        let whole = try await upstream.send(PathRequest(method: "GET", path: target))
        #expect(whole.status == 200 && whole.headers["content-range"] == nil)
        #expect(try await Self.read(whole) == server.bytes)
        #expect(server.requests.withLock { $0.count } == 3)
    }
}
