import Foundation
import MydiaCrypto
import MydiaServer
import MydiaTestSupport
@testable import MydiaTransport
import MydiaWire
import Testing

/// The tunnel of PROTOCOL.md §4–§5 from the client side, against the real server over the relay.
@Suite(.serialized) struct TunnelSessionTests {
    @Test func graphQLQueryThroughTheTunnel() async throws {
        let f = try await TransportFixture.get()
        let session = try await f.session()
        defer { Task { await session.close() } }
        let json = try await f.graphQL(session, "{ movies(first: 10) { totalCount edges { node { title } } } }")
        let movies = (json["data"] as? [String: Any])?["movies"] as? [String: Any]
        #expect(movies?["totalCount"] as? Int == 4)
        #expect(await session.requestsInFlight == 0)
    }

    @Test func aLargeStreamedBodyArrivesByteIdentical() async throws {
        let f = try await TransportFixture.get()
        let session = try await f.session()
        defer { Task { await session.close() } }
        let file = try await f.largeFile(using: session)
        #expect(file.bytes.count > 512 * 1024)
        let started = ContinuousClock.now
        let response = try await session.request(method: "GET", path: "/api/v1/stream/file/\(file.id)", headers: f.bearer)
        #expect(response.status == 200 && response[header: "Content-Length"] == String(file.bytes.count))
        let body = try await response.body.collect()
        let elapsed = ContinuousClock.now - started
        #expect(body == file.bytes)
        print("tunnel: \(file.bytes.count) bytes in \(elapsed)")
        // A Range request through the tunnel (small enough to come inline).
        let ranged = try await session.request(method: "GET", path: "/api/v1/stream/file/\(file.id)",
                                               headers: f.bearer.merging(["Range": "bytes=1000-1999"]) { a, _ in a })
        #expect(ranged.status == 206)
        #expect(try await ranged.body.collect() == Array(file.bytes[1000..<2000]))
        #expect(await session.requestsInFlight == 0)
    }

    /// 256 KiB: the protocol's initial credit alone; 320 KiB: the client grants the rest of its
    /// window with the response head (§13.35). (The default window, 1 MiB, is larger than the file,
    /// and a window plus one coalesced first chunk of up to 256 KiB must stay below its 602 KiB.)
    @Test(arguments: [256 * 1024, 320 * 1024])
    func aConsumerThatStopsReadingStopsTheStreamAtTheCreditLimit(window: Int) async throws {
        let f = try await TransportFixture.get()
        let session = try await f.session(configuration: .init(streamWindow: window))
        defer { Task { await session.close() } }
        let file = try await f.largeFile(using: session)
        #expect(file.bytes.count > window)
        let response = try await session.request(method: "GET", path: "/api/v1/stream/file/\(file.id)", headers: f.bearer)
        var iterator = response.body.makeAsyncIterator()
        var received = try #require(try await iterator.next())
        // The instance sends up to the granted window, then waits: what is buffered stops there.
        let pipe = response.body.consumer.pipe
        let taken = received.count
        // Taking the first chunk granted it back if it reached a credit batch (frames that queued
        // before the first read leave the pipe as one chunk).
        let limit = min(file.bytes.count, window + (taken >= TunnelSession.Configuration().creditBatch ? taken : 0))
        try await withTimeout(.seconds(10)) {
            while pipe.bufferedBytes + taken < limit { try await Task.sleep(for: .milliseconds(10)) }
        }
        // Nothing beyond the credit arrives while the consumer stays stalled.
        try await Task.sleep(for: .milliseconds(300))
        #expect(pipe.bufferedBytes + taken == limit)
        #expect(limit < file.bytes.count)
        // Reading again grants credit and the whole body follows.
        while let chunk = try await iterator.next() { received += chunk }
        #expect(received == file.bytes)
    }

    @Test func cancellingTheConsumingTaskCancelsTheStream() async throws {
        let f = try await TransportFixture.get()
        let session = try await f.session()
        defer { Task { await session.close() } }
        let file = try await f.largeFile(using: session)
        let firstChunk = OneShot<Void>()
        let reader = Task {
            let response = try await session.request(method: "GET", path: "/api/v1/stream/file/\(file.id)", headers: f.bearer)
            var total = 0
            for try await chunk in response.body {
                total += chunk.count
                firstChunk.fulfil(())
            }
            return total
        }
        try await withTimeout(.seconds(10)) { await firstChunk.value }
        #expect(await session.requestsInFlight == 1)
        reader.cancel()
        await #expect(throws: CancellationError.self) { _ = try await reader.value }
        try await withTimeout(.seconds(5)) {
            while await session.requestsInFlight > 0 { try await Task.sleep(for: .milliseconds(10)) }
        }
        // The session carries on: the next request works.
        let probe = try await session.request(method: "GET", path: "/api/v1/remote/probe", headers: f.bearer)
        #expect(probe.status == 200)
    }

    @Test func aSixtyFifthRequestWaitsForAFreeSlot() async throws {
        let f = try await TransportFixture.get()
        // A window of the protocol's initial credit, so every stream below is larger than its window.
        let session = try await f.session(configuration: .init(streamWindow: 256 * 1024))
        defer { Task { await session.close() } }
        let file = try await f.largeFile(using: session)
        // 64 streams larger than their credit stay open while nobody reads them.
        var open: [TransportResponse] = []
        for _ in 0..<64 {
            open.append(try await session.request(method: "GET", path: "/api/v1/stream/file/\(file.id)", headers: f.bearer))
        }
        #expect(await session.requestsInFlight == 64)
        let answered = OneShot<Void>()
        let sixtyFifth = Task {
            defer { answered.fulfil(()) }
            return try await session.request(method: "GET", path: "/api/v1/remote/probe", headers: f.bearer)
        }
        // Nothing can be awaited for "it did not happen": give it half a second.
        try await Task.sleep(for: .milliseconds(500))
        #expect(answered.current == nil, "the 65th request must wait while 64 are in flight")
        #expect(await session.requestsInFlight == 64)
        // Dropping one stream frees its slot; the waiting request then goes out and succeeds.
        open.removeFirst()
        let response = try await withTimeout(.seconds(10)) { try await sixtyFifth.value }
        #expect(response.status == 200)
        open.removeAll()
        try await withTimeout(.seconds(10)) {
            while await session.requestsInFlight > 0 { try await Task.sleep(for: .milliseconds(10)) }
        }
    }

    @Test func pingMeasuresTheRoundTrip() async throws {
        let f = try await TransportFixture.get()
        let session = try await f.session()
        defer { Task { await session.close() } }
        let rtt = try await session.ping()
        #expect(rtt > .zero && rtt < .seconds(5))
        print("tunnel ping RTT: \(rtt)")
    }

    @Test func aClosedSessionFailsRequestsWithTheEndReason() async throws {
        let f = try await TransportFixture.get()
        let session = try await f.session()
        // The instance closes this device's sessions: the relay forwards `close` with a reason.
        await f.host.link.closeSessions(deviceID: f.pairing.deviceID)
        let relay = session.relay
        try await withTimeout(.seconds(5)) { while relay.endReason == nil { try await Task.sleep(for: .milliseconds(10)) } }
        let reason = try #require(relay.endReason)
        guard case .closedByRelay = reason else { Issue.record("ended with \(reason)"); return }
        try await withTimeout(.seconds(5)) { while await session.isOpen { try await Task.sleep(for: .milliseconds(10)) } }
        await #expect(throws: TunnelSession.Error.closed(reason)) {
            _ = try await session.request(method: "GET", path: "/api/v1/remote/probe", headers: f.bearer)
        }
    }

    @Test func aWrongClaimCodeIsRefusedWithTheInstancesReason() async throws {
        let f = try await TransportFixture.get()
        let relay = try await RelayConnection.connect(origin: f.origin, instanceID: f.instanceID, pinnedInstanceKey: f.instanceKey)
        await #expect(throws: TunnelSession.Error.refused(.claimInvalid)) {
            _ = try await TunnelSession.establish(
                relay: relay, clientKey: .generate(),
                request: .pair(claimCode: "000000", deviceName: "x", platform: "linux", clientVersion: "0", timestamp: Int64(Date().timeIntervalSince1970)))
        }
    }
}

/// The client's credit batches (§13.10): at least a batch, always whole frames, nothing lost.
@Suite struct CreditBatcherTests {
    @Test func grantsWholeFramesOfAtLeastABatch() {
        let frame = MediaFrame.maxDataSize
        let batcher = CreditBatcher(batch: 256 * 1024, unit: frame)
        var granted = 0, taken = 0
        // Chunks as the pipe hands them out: single frames, coalesced runs, and odd sizes.
        for chunk in [frame, 3 * frame, 20, frame, 2 * frame + 7, 5, frame, 65_511, 4 * frame, 100, 9 * frame] {
            taken += chunk
            if let grant = batcher.add(chunk) {
                #expect(grant >= 3 * frame && grant % frame == 0, "grant \(grant)")
                granted += grant
            }
            // What is held back is less than a batch plus a frame.
            #expect(taken - granted < 256 * 1024 + frame)
        }
        #expect(granted > 0)
        #expect(batcher.add(0) == nil)
    }

    @Test func aBatchSmallerThanAFrameStillGrantsWholeFrames() {
        let batcher = CreditBatcher(batch: 1000, unit: 4096)
        #expect(batcher.add(1500) == nil)
        #expect(batcher.add(3000) == 4096)
        #expect(batcher.add(3691) == nil)
        #expect(batcher.add(1) == 4096)
    }
}
