import Foundation
import Logging
import MydiaConnection
@testable import MydiaPlayback
import MydiaTestSupport
import Synchronization
import Testing

/// PROTOCOL.md §14.2.6: a segment or playlist not ready yet answers 503 (+ `Retry-After`); the
/// proxy's upstream waits and asks again for up to 30 s, so the player never sees the 503.
@Suite struct RetryAfterUpstreamTests {
    /// Answers 503 (with `retryAfter`, if any) `busy` times, then 200 with a small body.
    final class Busy: MediaUpstream {
        let retryAfter: String?
        let seen = Mutex<[PathRequest]>([])
        let left: Mutex<Int>

        init(busy: Int, retryAfter: String? = "1") {
            self.retryAfter = retryAfter
            left = Mutex(busy)
        }

        func send(_ request: PathRequest) async throws -> PathResponse {
            seen.withLock { $0.append(request) }
            let busy = left.withLock { left -> Bool in
                defer { left -= 1 }
                return left > 0
            }
            guard busy else { return PathResponse(status: 200, headers: ["content-length": "5"], body: Self.body("ready")) }
            var headers = ["content-type": "application/json"]
            if let retryAfter { headers["retry-after"] = retryAfter }
            return PathResponse(status: 503, headers: headers, body: Self.body(#"{"error":"segment_not_ready"}"#))
        }

        func currentPath() async -> PathKind? { .direct }

        static func body(_ text: String) -> AsyncThrowingStream<[UInt8], any Error> {
            AsyncThrowingStream { $0.yield(Array(text.utf8)); $0.finish() }
        }
    }

    static let segment = PathRequest(method: "GET", path: "/api/v1/hls/s1/seg00003.ts", headers: ["range": "bytes=0-"])

    static func text(_ response: PathResponse) async throws -> String {
        var bytes: [UInt8] = []
        for try await chunk in response.body { bytes += chunk }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func aSegmentAnswering503TwiceIsAskedForAgainAfterEachRetryAfterAndTheCallerGetsThe200() async throws {
        let busy = Busy(busy: 2)
        let clock = ManualClock()
        let upstream = RetryAfterUpstream(base: busy, clock: clock)
        let sending = Task { try await upstream.send(Self.segment) }
        #expect(await clock.waitForSleeper(until: .seconds(1)))
        clock.advance(to: .seconds(1))
        #expect(await clock.waitForSleeper(until: .seconds(2)))
        clock.advance(to: .seconds(2))
        let response = try await sending.value
        #expect(response.status == 200)
        #expect(try await Self.text(response) == "ready")
        // The same request each time, Range included.
        #expect(busy.seen.withLock { $0 } == [Self.segment, Self.segment, Self.segment])
    }

    @Test func eachWaitIsCappedAtFiveSecondsAndAPlaylist503WithoutRetryAfterWaitsOneSecond() async throws {
        let clock = ManualClock()
        let slow = RetryAfterUpstream(base: Busy(busy: 1, retryAfter: "120"), clock: clock)
        let first = Task { try await slow.send(Self.segment) }
        #expect(await clock.waitForSleeper(until: .seconds(5)))
        clock.advance(to: .seconds(5))
        #expect(try await first.value.status == 200)

        let playlist = PathRequest(method: "GET", path: "/api/v1/hls/s1/index.m3u8")
        let bare = RetryAfterUpstream(base: Busy(busy: 1, retryAfter: nil), clock: clock)
        let second = Task { try await bare.send(playlist) }
        #expect(await clock.waitForSleeper(until: .seconds(6)))
        clock.advance(to: .seconds(6))
        #expect(try await second.value.status == 200)
        #expect(RetryAfterUpstream.wait(for: PathResponse(status: 503, headers: ["retry-after": "0"], body: Busy.body("")), path: "/x")
            == .milliseconds(250))
        #expect(RetryAfterUpstream.wait(for: PathResponse(status: 503, headers: ["retry-after": "Fri, 31 Dec 1999 23:59:59 GMT"],
                                                          body: Busy.body("")), path: "/x") == .seconds(1))
    }

    @Test func after30SecondsThe503GoesThrough() async throws {
        let busy = Busy(busy: 1_000, retryAfter: "5")
        let clock = ManualClock()
        let upstream = RetryAfterUpstream(base: busy, clock: clock)
        let sending = Task { try await upstream.send(Self.segment) }
        for step in 1...6 {
            #expect(await clock.waitForSleeper(until: .seconds(5 * step)))
            clock.advance(to: .seconds(5 * step))
        }
        let response = try await sending.value
        #expect(response.status == 503 && response.headers["retry-after"] == "5")
        #expect(try await Self.text(response).contains("segment_not_ready"))
        #expect(busy.seen.withLock { $0.count } == 7)
        #expect(clock.elapsed == .seconds(30))
    }

    @Test func a503WithoutRetryAfterOutsideHLSIsNotRetried() async throws {
        let busy = Busy(busy: 1, retryAfter: nil)
        let upstream = RetryAfterUpstream(base: busy, clock: ManualClock())
        let file = PathRequest(method: "GET", path: "/api/v1/stream/file/7?strategy=DIRECT_PLAY")
        #expect(try await upstream.send(file).status == 503)
        #expect(busy.seen.withLock { $0.count } == 1)
    }

    /// Through the real proxy on a real socket: the player asks once and gets the segment; the
    /// waits are real (`Retry-After: 1`, twice).
    @Test func thePlayerNeverSeesThe503() async throws {
        let busy = Busy(busy: 2)
        let log = CapturedLog()
        let proxy = try await MediaProxy.start(upstream: RetryAfterUpstream(base: busy), logger: log.logger())
        defer { Task { await proxy.stop() } }
        let began = ContinuousClock.now
        let client = try MediaProxyTests.RawClient(port: proxy.port)
        client.send("GET /\(proxy.prefix)/hls/s1/seg00003.ts HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        let (status, _, body) = await MediaProxyTests.offPool { client.response() }
        #expect(status == 200 && String(decoding: body, as: UTF8.self) == "ready")
        #expect(ContinuousClock.now - began >= .seconds(2))
        #expect(busy.seen.withLock { $0.count } == 3)
        #expect(!log.all.contains { $0.contains("status=503") })
        await proxy.stop()
    }
}
