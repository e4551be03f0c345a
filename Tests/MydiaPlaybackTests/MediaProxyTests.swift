import Foundation
import Logging
import MydiaConnection
@testable import MydiaPlayback
import MydiaTestSupport
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The proxy in front of a scripted upstream: refusals, Range forwarding, parallel connections and
/// bounded memory for a body far larger than any buffer.
@Suite(.serialized) struct MediaProxyTests {
    /// Serves `size` bytes of a counting pattern per request, produced only as the proxy pulls.
    final class FakeUpstream: MediaUpstream {
        let size: Int
        let produced = Mutex(0)
        let requests = Mutex<[PathRequest]>([])

        init(size: Int) { self.size = size }

        func send(_ request: PathRequest) async throws -> PathResponse {
            requests.withLock { $0.append(request) }
            if request.path.hasSuffix(".m3u8") {
                let text = Array("#EXTM3U\n#EXTINF:4.0,\nseg00000.ts\n#EXT-X-ENDLIST\n".utf8)
                return PathResponse(status: 200, headers: ["content-type": "application/vnd.apple.mpegurl"],
                                    body: AsyncThrowingStream { $0.yield(text); $0.finish() })
            }
            var first = 0, last = size - 1, status = 200
            var headers = ["content-type": "video/mp2t", "etag": "\"x\"", "accept-ranges": "bytes"]
            if let range = request.headers["range"], let spec = range.split(separator: "=").last {
                let bounds = spec.split(separator: "-", omittingEmptySubsequences: false)
                first = Int(bounds[0]) ?? 0
                last = bounds.count > 1 ? Int(bounds[1]) ?? last : last
                status = 206
                headers["content-range"] = "bytes \(first)-\(last)/\(size)"
            }
            headers["content-length"] = String(last - first + 1)
            let offset = Mutex(first)
            let end = last + 1
            return PathResponse(status: status, headers: headers, body: AsyncThrowingStream(unfolding: { [self] in
                let start = offset.withLock { $0 }
                guard start < end else { return nil }
                let n = min(16 * 1024, end - start)
                let chunk = (start..<start + n).map { UInt8(truncatingIfNeeded: $0) }
                offset.withLock { $0 += n }
                self.produced.withLock { $0 += n }
                return chunk
            }))
        }

        func currentPath() async -> PathKind? { .relay }
    }

    /// A raw HTTP/1.1 exchange on a fresh socket; the caller writes the exact request.
    final class RawClient: @unchecked Sendable {  // one fd, used by one thread at a time
        let fd: Int32

        /// - Parameter receiveBuffer: if set, the socket's receive buffer (a player that holds little).
        init(port: Int, receiveBuffer: Int? = nil) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            if var size = receiveBuffer.map({ Int32($0) }) { setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size)) }
            // Reads block a thread of the (two-thread) cooperative pool: bound each one, so a proxy
            // that never answers fails the test with a short read instead of stalling the run.
            var bound = timeval(tv_sec: 30, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &bound, socklen_t(MemoryLayout<timeval>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let ok = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard ok == 0 else { throw CocoaError(.fileReadUnknown) }
        }

        deinit { close(fd) }

        func send(_ text: String) {
            let bytes = Array(text.utf8)
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, bytes.count) }
        }

        /// Reads up to `limit` bytes (or to EOF, or until 30 s pass without a byte).
        func read(upTo limit: Int) -> [UInt8] {
            var result: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while result.count < limit {
                let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, min(65536, limit - result.count)) }
                guard n > 0 else { break }
                result += buffer[..<n]
            }
            return result
        }

        /// Status code, headers and body of a `Connection: close` response.
        func response() -> (status: Int, head: String, body: [UInt8]) {
            let all = read(upTo: 64 << 20)
            let marker = Array("\r\n\r\n".utf8)
            guard let split = (0...(max(0, all.count - 4))).first(where: { Array(all[$0..<min(all.count, $0 + 4)]) == marker }) else {
                return (0, "", [])
            }
            let head = String(decoding: all[..<split], as: UTF8.self)
            let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
            return (status, head, Array(all[(split + 4)...]))
        }
    }

    func get(_ proxy: MediaProxy, _ path: String, host: String? = nil, extra: String = "") throws -> (status: Int, head: String, body: [UInt8]) {
        let client = try RawClient(port: proxy.port)
        client.send("GET \(path) HTTP/1.1\r\nHost: \(host ?? "127.0.0.1:\(proxy.port)")\r\n\(extra)Connection: close\r\n\r\n")
        return client.response()
    }

    /// Runs blocking work on a fresh thread.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: work()) }
        }
    }

    var quiet: Logger {
        var l = Logger(label: "test")
        l.logLevel = .critical
        return l
    }

    @Test func refusesAWrongPrefixAForeignHostAndDotSegments() async throws {
        let upstream = FakeUpstream(size: 1000)
        let proxy = try await MediaProxy.start(upstream: upstream, logger: quiet)
        defer { Task { await proxy.stop() } }
        #expect(proxy.prefix.count == 32 && proxy.prefix.allSatisfy { "0123456789abcdef".contains($0) })
        let other = try await MediaProxy.start(upstream: upstream, logger: quiet)
        #expect(other.prefix != proxy.prefix)  // a new prefix per playback
        await other.stop()

        #expect(try get(proxy, "/\(proxy.prefix)/hls/s1/seg00000.ts").status == 200)
        #expect(try get(proxy, "/\(String(repeating: "0", count: 32))/hls/s1/seg00000.ts").status == 404)
        #expect(try get(proxy, "/\(proxy.prefix)/api/graphql").status == 404)
        #expect(try get(proxy, "/\(proxy.prefix)/hls/s1/seg00000.ts", host: "evil.example").status == 403)
        #expect(try get(proxy, "/\(proxy.prefix)/hls/s1/seg00000.ts", host: "127.0.0.1.evil.example:80").status == 403)
        #expect(try get(proxy, "/\(proxy.prefix)/hls/s1/%2e%2e/%2e%2e/graphql").status == 400)
        #expect(try get(proxy, "/\(proxy.prefix)/hls/s1/../x.ts").status == 400)
        // Only the one good request reached the upstream, without a query.
        #expect(upstream.requests.withLock { $0.map(\.path) } == ["/api/v1/hls/s1/seg00000.ts"])
        #expect(proxy.statistics.refused == 6)
    }

    @Test func forwardsRangeAndPassesThePlaylistThrough() async throws {
        let upstream = FakeUpstream(size: 100_000)
        let proxy = try await MediaProxy.start(upstream: upstream, logger: quiet)
        defer { Task { await proxy.stop() } }
        let part = try get(proxy, "/\(proxy.prefix)/file/7", extra: "Range: bytes=1000-1999\r\n")
        #expect(part.status == 206 && part.body.count == 1000 && part.body.first == UInt8(truncatingIfNeeded: 1000))
        #expect(part.head.lowercased().contains("content-range: bytes 1000-1999/100000"))
        #expect(upstream.requests.withLock { $0.last?.path } == "/api/v1/stream/file/7?strategy=DIRECT_PLAY")
        let playlist = try get(proxy, "/\(proxy.prefix)/hls/s1/index.m3u8")
        #expect(playlist.status == 200 && String(decoding: playlist.body, as: UTF8.self) == "#EXTM3U\n#EXTINF:4.0,\nseg00000.ts\n#EXT-X-ENDLIST\n")
    }

    @Test func servesParallelConnectionsWithBoundedMemory() async throws {
        let size = 256 << 20
        let upstream = FakeUpstream(size: size)
        let proxy = try await MediaProxy.start(upstream: upstream, logger: quiet)
        defer { Task { await proxy.stop() } }
        // A player that reads 1 MiB and then stalls: the proxy must stop pulling soon after.
        // (Blocking socket reads run on their own threads, never on the 2-core cooperative pool.)
        let slow = try RawClient(port: proxy.port)
        slow.send("GET /\(proxy.prefix)/hls/s1/big.ts HTTP/1.1\r\nHost: localhost\r\n\r\n")
        let first = await Self.offPool { slow.read(upTo: 1 << 20).count }
        #expect(first == 1 << 20)
        // Meanwhile three other connections are served in full, side by side.
        let counts = await withTaskGroup(of: Int.self) { group in
            for index in 0..<3 {
                group.addTask {
                    await Self.offPool {
                        guard let r = try? self.get(proxy, "/\(proxy.prefix)/hls/s1/seg\(index).ts", extra: "Range: bytes=0-999999\r\n") else { return -2 }
                        return r.status == 206 ? r.body.count : -1
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(counts == [1_000_000, 1_000_000, 1_000_000])
        try await Task.sleep(for: .seconds(1))
        let pulled = upstream.produced.withLock { $0 } - 3_000_000
        // Socket buffers on loopback hold a few MiB; the whole 256 MiB body must not be pulled.
        #expect(pulled < 24 << 20, "the proxy pulled \(pulled) bytes for a stalled player")
        #expect(proxy.statistics.openConnections >= 1)
    }
}
