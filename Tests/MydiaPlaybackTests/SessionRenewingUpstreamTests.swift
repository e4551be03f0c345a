import Foundation
import MydiaConnection
@testable import MydiaPlayback
import MydiaTestSupport
import Synchronization
import Testing

/// What the proxy's upstream does while the instance restarts (PROTOCOL.md §13.44): requests wait
/// for a path, a forgotten session is replaced once and followed, cut bodies continue by Range (the
/// client's one resume engine, `ResponseBodyReader`, sending the rest through this upstream). The
/// waits run on a manual clock.
@Suite struct SessionRenewingUpstreamTests {
    /// A scripted instance: HLS sessions with a playlist and one segment whose bytes depend only on
    /// their offset (as the same file segments the same way in every session); it can be offline for
    /// a number of requests, forget its sessions (a restart) and cut a body after some bytes.
    final class Instance: MediaUpstream {
        struct State {
            var sessions: Set<String> = []
            var offlineRequests = 0
            var cutAfter: Int?
            var seen: [PathRequest] = []
        }

        static let segmentSize = 300_000
        let state = Mutex(State())

        init(sessions: Set<String>) { state.withLock { $0.sessions = sessions } }

        func send(_ request: PathRequest) async throws -> PathResponse {
            let (offline, known, cut) = state.withLock { s -> (Bool, Bool, Int?) in
                s.seen.append(request)
                if s.offlineRequests > 0 {
                    s.offlineRequests -= 1
                    return (true, false, nil)
                }
                let id = SessionRenewingUpstream.sessionID(in: request.path) ?? ""
                defer { s.cutAfter = nil }
                return (false, s.sessions.contains(id), s.cutAfter)
            }
            if offline { throw ConnectionManager.Error.offline }
            guard known else { return PathResponse(status: 404, headers: [:], body: Self.body(Array("{}".utf8))) }
            if request.path.hasSuffix(".m3u8") {
                let text = Array("#EXTM3U\n#EXTINF:4.0,\nseg00000.ts\n#EXT-X-ENDLIST\n".utf8)
                return PathResponse(status: 200, headers: [:], body: Self.body(text, cutAfter: cut))
            }
            var first = 0, status = 200, headers: [String: String] = [:]
            if let range = request.headers["range"], let spec = range.split(separator: "=").last,
               let start = Int(spec.split(separator: "-", omittingEmptySubsequences: false)[0]) {
                first = start
                status = 206
                headers["content-range"] = "bytes \(first)-\(Self.segmentSize - 1)/\(Self.segmentSize)"
            }
            return PathResponse(status: status, headers: headers, body: Self.body(Self.pattern(first..<Self.segmentSize), cutAfter: cut))
        }

        func currentPath() async -> PathKind? { .relay }

        func forgetAll() { state.withLock { $0.sessions = [] } }
        func add(_ id: String) { state.withLock { _ = $0.sessions.insert(id) } }
        var seen: [PathRequest] { state.withLock { $0.seen } }

        static func pattern(_ range: Range<Int>) -> [UInt8] { range.map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) } }

        /// `bytes` in 16 KiB chunks; with `cutAfter`, the stream fails there as a lost path does.
        static func body(_ bytes: [UInt8], cutAfter: Int? = nil) -> AsyncThrowingStream<[UInt8], any Error> {
            AsyncThrowingStream { continuation in
                var offset = 0
                while offset < bytes.count {
                    if let cutAfter, offset >= cutAfter {
                        continuation.finish(throwing: ConnectionManager.Error.offline)
                        return
                    }
                    let end = min(offset + 16_384, bytes.count)
                    continuation.yield(Array(bytes[offset..<end]))
                    offset = end
                }
                continuation.finish()
            }
        }
    }

    static func collect(_ response: PathResponse) async throws -> [UInt8] {
        var all: [UInt8] = []
        for try await chunk in response.body { all += chunk }
        return all
    }

    static let segmentA = PathRequest(method: "GET", path: "/api/v1/hls/aaaa/seg00000.ts")

    @Test func aRequestWhileNoPathIsUpWaitsForOneInsteadOfFailing() async throws {
        let instance = Instance(sessions: ["aaaa"])
        instance.state.withLock { $0.offlineRequests = 3 }
        let clock = ManualClock()
        let upstream = SessionRenewingUpstream(base: instance, patience: .seconds(10), retryInterval: .milliseconds(10), clock: clock)
        let sending = Task { try await upstream.send(Self.segmentA) }
        for step in 1...3 {
            #expect(await clock.waitForSleeper(until: .milliseconds(10 * step)))
            clock.advance(to: .milliseconds(10 * step))
        }
        let response = try await sending.value
        #expect(response.status == 200)
        #expect(try await Self.collect(response) == Instance.pattern(0..<Instance.segmentSize))
        #expect(instance.seen.count == 4)
    }

    @Test func aRequestFailsWhenNoPathComesBackWithinThePatience() async throws {
        let instance = Instance(sessions: ["aaaa"])
        instance.state.withLock { $0.offlineRequests = 1_000 }
        let clock = ManualClock()
        let upstream = SessionRenewingUpstream(base: instance, patience: .milliseconds(200), retryInterval: .milliseconds(20), clock: clock)
        let sending = Task { try await upstream.send(Self.segmentA) }
        // It looks again every 20 ms while another look still ends before the patience runs out.
        for step in 1...9 {
            #expect(await clock.waitForSleeper(until: .milliseconds(20 * step)))
            clock.advance(to: .milliseconds(20 * step))
        }
        await #expect(throws: ConnectionManager.Error.offline) { _ = try await sending.value }
        #expect(clock.elapsed >= .milliseconds(150))
        #expect(instance.seen.count == 10)
    }

    @Test func aForgottenSessionIsReplacedOnceAndEveryLaterRequestFollowsIt() async throws {
        let instance = Instance(sessions: ["aaaa"])
        let upstream = SessionRenewingUpstream(base: instance)
        let renewals = Mutex<[String]>([])
        upstream.use(session: "aaaa") { forgotten in
            renewals.withLock { $0.append(forgotten) }
            try? await Task.sleep(for: .milliseconds(50))  // concurrent 404s arrive meanwhile
            instance.add("bbbb")
            return "bbbb"
        }
        instance.forgetAll()
        async let first = upstream.send(Self.segmentA)
        async let second = upstream.send(PathRequest(method: "GET", path: "/api/v1/hls/aaaa/index.m3u8"))
        let (segment, playlist) = try await (first, second)
        #expect(segment.status == 200 && playlist.status == 200)
        #expect(try await Self.collect(segment) == Instance.pattern(0..<Instance.segmentSize))
        #expect(renewals.withLock { $0 } == ["aaaa"])
        let before = instance.seen.count
        let later = try await upstream.send(Self.segmentA)
        #expect(later.status == 200)
        #expect(instance.seen.dropFirst(before).map(\.path) == ["/api/v1/hls/bbbb/seg00000.ts"])  // no 404 first
    }

    @Test func a404ThatIsNotAForgottenSessionReachesThePlayer() async throws {
        let instance = Instance(sessions: ["aaaa"])
        let upstream = SessionRenewingUpstream(base: instance)
        let renewals = Mutex(0)
        upstream.use(session: "aaaa") { _ in
            renewals.withLock { $0 += 1 }
            return nil  // the playback found the session alive (only that file is missing)
        }
        instance.forgetAll()
        let response = try await upstream.send(Self.segmentA)
        #expect(response.status == 404)
        #expect(renewals.withLock { $0 } == 1)
        // Another session's 404 is never a renewal.
        let other = try await upstream.send(PathRequest(method: "GET", path: "/api/v1/hls/cccc/seg00000.ts"))
        #expect(other.status == 404)
        #expect(renewals.withLock { $0 } == 1)
    }

    @Test func aBodyCutBelowContinuesByRangeOnTheReplacementSession() async throws {
        let instance = Instance(sessions: ["aaaa"])
        let clock = ManualClock()
        let upstream = SessionRenewingUpstream(base: instance, retryInterval: .milliseconds(10), clock: clock)
        upstream.use(session: "aaaa") { _ in
            instance.add("bbbb")
            return "bbbb"
        }
        instance.state.withLock { $0.cutAfter = 100_000 }
        let response = try await upstream.send(Self.segmentA)
        // The instance restarts under the body: the rest must come from the new session.
        instance.forgetAll()
        instance.state.withLock { $0.offlineRequests = 2 }
        let collecting = Task { try await Self.collect(response) }
        for step in 1...2 {
            #expect(await clock.waitForSleeper(until: .milliseconds(10 * step)))
            clock.advance(to: .milliseconds(10 * step))
        }
        let body = try await collecting.value
        #expect(body.count == Instance.segmentSize)
        #expect(body == Instance.pattern(0..<Instance.segmentSize))
        let resumed = try #require(instance.seen.last)
        #expect(resumed.path == "/api/v1/hls/bbbb/seg00000.ts")
        #expect(resumed.headers["range"] == "bytes=114688-")  // the first byte not delivered (7 chunks of 16 KiB)
    }

    @Test func aCutPlaylistIsNotResumed() async throws {
        let instance = Instance(sessions: ["aaaa"])
        let upstream = SessionRenewingUpstream(base: instance)
        instance.state.withLock { $0.cutAfter = 0 }
        let response = try await upstream.send(PathRequest(method: "GET", path: "/api/v1/hls/aaaa/index.m3u8"))
        await #expect(throws: ConnectionManager.Error.offline) { _ = try await Self.collect(response) }
        #expect(instance.seen.count == 1)
    }
}
