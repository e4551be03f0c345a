import Foundation
import Logging
import MydiaCrypto
@testable import MydiaServer
import MydiaStreaming
import MydiaTestSupport
import MydiaTunnel
import MydiaWire
import Synchronization
import Testing

/// PROTOCOL.md §5 from the instance's side, over a real Noise session: inline and streamed
/// responses, credit flow control, cancel, ping, request-id rules and gap handling.
@Suite struct TunnelResponderTests {
    /// Test routes: /small, /big?n=N (streamed in 8 KiB chunks, byte i = i % 251), /file (the
    /// file `TestAPI.file`, served as the server serves media), /hold (waits until released),
    /// /fail (throws after 20 KiB).
    struct TestAPI: APIHandler {
        /// 1 MB + 1,000 bytes, byte i = i % 251.
        static let file: String = {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("tunnel-responder-\(getpid()).bin").path
            precondition(FileManager.default.createFile(atPath: path, contents: Data((0..<1_001_000).map { UInt8($0 % 251) })))
            return path
        }()

        let gate = Gate()
        func handle(_ request: APIRequest) async -> APIResponse {
            switch request.path {
            case "/file": return FileResponder.response(path: Self.file, method: .get, headers: request.headers)
            case "/small": return APIResponse(status: 200, headers: ["x-device": request.tunnelDeviceID ?? ""], body: .bytes(Array("hello".utf8)))
            case "/big":
                let n = Int(request.query["n"] ?? "0") ?? 0
                return APIResponse(status: 200, body: .stream(AsyncThrowingStream { c in
                    var i = 0
                    while i < n { let m = min(8192, n - i); c.yield((i..<(i + m)).map { UInt8($0 % 251) }); i += m }
                    c.finish()
                }))
            case "/hold":
                await gate.wait()
                return APIResponse(status: 204)
            case "/fail":
                return APIResponse(status: 200, body: .stream(AsyncThrowingStream { c in
                    c.yield([UInt8](repeating: 1, count: 20_000))
                    c.finish(throwing: CocoaError(.fileReadUnknown))
                }))
            default: return .error(status: 404, error: "not_found", message: "no such route")
            }
        }
    }

    /// A latch: `wait()` suspends until `release()`, and returns at once afterwards (a handler that
    /// starts late must not miss the release).
    final class Gate: Sendable {
        private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
        func wait() async {
            await withCheckedContinuation { c in
                let open = state.withLock { s in
                    if !s.open { s.waiters.append(c) }
                    return s.open
                }
                if open { c.resume() }
            }
        }
        func release() {
            let waiters = state.withLock { s in
                s.open = true
                defer { s.waiters = [] }
                return s.waiters
            }
            for c in waiters { c.resume() }
        }
    }

    /// Decrypted frames from the responder, in order. Waits are event-driven (no polling) and
    /// bounded, so a bug fails the test instead of hanging it.
    actor Inbox {
        var items: [(Channel, [UInt8])] = []
        var waiter: CheckedContinuation<Void, Never>?

        func append(_ item: (Channel, [UInt8])) {
            items.append(item)
            waiter?.resume()
            waiter = nil
        }

        func next(timeout: Duration = .seconds(20)) async -> (Channel, [UInt8])? {
            let deadline = ContinuousClock.now + timeout
            while items.isEmpty {
                guard ContinuousClock.now < deadline else { return nil }
                let wake = Task { [weak self] in
                    try? await Task.sleep(until: deadline)
                    await self?.wakeUp()
                }
                await withCheckedContinuation { waiter = $0 }
                wake.cancel()
            }
            return items.removeFirst()
        }

        private func wakeUp() {
            waiter?.resume()
            waiter = nil
        }

        /// Everything that arrives until nothing has come for `quiet` (only for "nothing more" checks).
        func drain(quiet: Duration = .milliseconds(300)) async -> [(Channel, [UInt8])] {
            var out: [(Channel, [UInt8])] = []
            while let item = await next(timeout: quiet) { out.append(item) }
            return out
        }

        /// Media frames until `bytes` of data arrived (or the stream ended).
        func media(bytes: Int) async throws -> [MediaFrame] {
            var out: [MediaFrame] = [], total = 0
            while total < bytes {
                guard let (channel, plaintext) = await next() else { break }
                guard channel == .media else { continue }
                let frame = try MediaFrame(decoding: plaintext)
                out.append(frame)
                total += frame.data.count
                if frame.isEnd || frame.isAborted { break }
            }
            return out
        }
    }

    final class Harness: @unchecked Sendable {  // used from one test task at a time
        var client: E2EESession
        let responder: TunnelResponder
        let inbox = Inbox()
        let api = TestAPI()
        private let pump: Task<Void, Never>

        init(log: CapturedLog? = nil) throws {
            let server = X25519KeyPair.generate()
            let sid = UUID().uuidString.lowercased(), iid = UUID().uuidString.lowercased()
            var client = E2EESession(handshake: try .client(sessionID: sid, instanceID: iid, clientStatic: .generate(), instanceStaticKey: server.publicKey))
            var instance = E2EESession(handshake: try .instance(sessionID: sid, instanceID: iid, instanceStatic: server))
            _ = try instance.receive(try client.writeHandshake(payload: []))
            _ = try client.receive(try instance.writeHandshake(payload: []))
            let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
            responder = TunnelResponder(session: instance, deviceID: "device-1", handler: api, sink: .frames { continuation.yield($0) },
                                        logger: log?.logger() ?? Logger(label: "test"))
            // The client's receive state lives in its own copy inside the pump.
            var rx = client
            let inbox = self.inbox
            pump = Task {
                for await frame in stream {
                    if case .frame(let f) = try? rx.receive(frame) { await inbox.append((f.channel, f.plaintext)) }
                }
            }
            self.client = client
        }

        deinit { pump.cancel() }

        func send(_ message: TunnelMessage) async throws {
            await responder.receive(try client.seal(channel: .api, plaintext: message.encoded()))
        }

        func get(_ id: UInt32, _ path: String) async throws {
            try await send(.request(TunnelRequest(id: id, method: "GET", path: path)))
        }

        func nextMessage() async throws -> TunnelMessage {
            let (channel, plaintext) = try #require(await inbox.next())
            #expect(channel == .api)
            return try TunnelMessage(decoding: plaintext)
        }

        func response(_ id: UInt32) async throws -> TunnelResponse {
            guard case .response(let r) = try await nextMessage() else { throw CancellationError() }
            #expect(r.id == id)
            return r
        }

        static func media(_ frames: [(Channel, [UInt8])]) throws -> [MediaFrame] {
            try frames.filter { $0.0 == .media }.map { try MediaFrame(decoding: $0.1) }
        }
    }

    @Test func smallResponsesGoInlineWithTheTunnelsDevice() async throws {
        let h = try Harness()
        try await h.get(1, "/small")
        let r = try await h.response(1)
        #expect(r.status == 200 && !r.isStreamed && r.body == Array("hello".utf8) && r.headers["x-device"] == "device-1")
        try await h.get(2, "/nowhere")
        #expect(try await h.response(2).status == 404)
    }

    /// A file body is read in whole media frames (§13.10): every frame but the last carries the
    /// most one frame can, however the file's chunks would have fallen.
    @Test func fileBodiesStreamInFullFrames() async throws {
        let h = try Harness()
        try await h.get(1, "/file")
        // Granted before the body starts: the initial 256 KiB is not a whole number of frames.
        try await h.send(.credit(id: 1, bytes: 4 << 20))
        let head = try await h.response(1)
        #expect(head.isStreamed && head.status == 200)
        let frames = try await h.inbox.media(bytes: 1_001_000)
        var all = frames
        if all.last?.isEnd != true { all += try await h.inbox.media(bytes: 1) }
        #expect(all.flatMap(\.data) == (0..<1_001_000).map { UInt8($0 % 251) })
        #expect(all.last?.isEnd == true)
        let sizes = all.map(\.data.count).filter { $0 > 0 }
        #expect(sizes.dropLast().allSatisfy { $0 == MediaFrame.maxDataSize }, "\(sizes)")
        #expect(sizes.count == (1_001_000 + MediaFrame.maxDataSize - 1) / MediaFrame.maxDataSize)
    }

    @Test func streamsNeverExceedTheGrantedCredit() async throws {
        let h = try Harness()
        let total = 1 << 20
        try await h.get(1, "/big?n=\(total)")
        let head = try await h.response(1)
        #expect(head.isStreamed && head.status == 200)
        var received = try await h.inbox.media(bytes: TunnelLimits.initialCredit)
        received += try Harness.media(await h.inbox.drain())  // nothing beyond the credit
        #expect(received.reduce(0) { $0 + $1.data.count } == TunnelLimits.initialCredit)
        #expect(received.allSatisfy { $0.streamID == 1 && $0.data.count <= MediaFrame.recommendedDataSize && !$0.isEnd })
        try await h.send(.credit(id: 1, bytes: 100_000))
        var more = try await h.inbox.media(bytes: 100_000)
        more += try Harness.media(await h.inbox.drain())
        #expect(more.reduce(0) { $0 + $1.data.count } == 100_000)
        received += more
        try await h.send(.credit(id: 1, bytes: UInt64(total)))
        received += try await h.inbox.media(bytes: total - TunnelLimits.initialCredit - 100_000)
        if received.last?.isEnd != true { received += try await h.inbox.media(bytes: 1) }
        let data = received.flatMap(\.data)
        #expect(data.count == total && received.last?.isEnd == true)
        #expect(data == (0..<total).map { UInt8($0 % 251) })
        #expect(await h.responder.requestsInFlight == 0)
    }

    @Test func aStalledStreamDoesNotBlockTheAPI() async throws {
        let h = try Harness()
        try await h.get(1, "/big?n=2000000")  // stalls after 256 KiB: no credit is ever granted
        _ = try await h.response(1)
        _ = try await h.inbox.media(bytes: TunnelLimits.initialCredit)
        try await h.get(2, "/small")
        let r = try await h.response(2)
        #expect(r.status == 200 && r.body == Array("hello".utf8))
        try await h.send(.ping(n: 42))
        #expect(try await h.nextMessage() == .pong(n: 42))
    }

    @Test func cancelStopsTheStreamForGood() async throws {
        let h = try Harness()
        try await h.get(1, "/big?n=2000000")
        _ = try await h.response(1)
        _ = try await h.inbox.media(bytes: TunnelLimits.initialCredit)
        try await h.send(.cancel(id: 1))
        try await h.send(.credit(id: 1, bytes: 1_000_000))
        #expect(try Harness.media(await h.inbox.drain()).isEmpty)
        #expect(await h.responder.requestsInFlight == 0)
    }

    @Test func requestIDsMustIncreaseAndInFlightIsCapped() async throws {
        let h = try Harness()
        try await h.get(5, "/small")
        _ = try await h.response(5)
        try await h.get(5, "/small")
        #expect(try await h.response(5).status == 400)
        try await h.get(3, "/small")
        #expect(try await h.response(3).status == 400)
        for id in UInt32(10)..<74 { try await h.get(id, "/hold") }
        try await h.get(74, "/small")
        #expect(try await h.response(74).status == 429)
        h.api.gate.release()
        var done = 0
        while done < 64, case .response(let r) = try await h.nextMessage() { #expect(r.status == 204); done += 1 }
        #expect(done == 64)
    }

    @Test func aFailingStreamIsAborted() async throws {
        let h = try Harness()
        try await h.get(1, "/fail")
        _ = try await h.response(1)
        let frames = try await h.inbox.media(bytes: Int.max)
        #expect(frames.last?.isAborted == true)
        #expect(frames.dropLast().reduce(0) { $0 + $1.data.count } == 20_000)
    }

    @Test func withheldFramesAbortOpenStreams() async throws {
        let h = try Harness()
        try await h.get(1, "/big?n=2000000")
        _ = try await h.response(1)
        _ = try await h.inbox.media(bytes: TunnelLimits.initialCredit)
        _ = try h.client.seal(channel: .api, plaintext: TunnelMessage.ping(n: 1).encoded())  // withheld
        try await h.send(.credit(id: 1, bytes: 1000))
        let frames = try await h.inbox.media(bytes: Int.max)
        #expect(frames.last?.isAborted == true && frames.last?.streamID == 1)
        // The tunnel itself carries on.
        try await h.get(2, "/small")
        #expect(try await h.response(2).status == 200)
    }

    /// A peer withholding frames over and over gets its streams aborted each time, but the log
    /// says so once per interval, not once per gap (issue 18).
    @Test func repeatedCounterGapsAreLoggedOncePerInterval() async throws {
        let log = CapturedLog()
        let h = try Harness(log: log)
        for n in 0..<50 {
            _ = try h.client.seal(channel: .api, plaintext: TunnelMessage.ping(n: UInt64(n)).encoded())  // withheld
            try await h.send(.credit(id: 99, bytes: 1))  // no answer: an unknown stream
        }
        try await h.get(2, "/small")
        #expect(try await h.response(2).status == 200)
        #expect(log.all.filter { $0.contains("counter gap") }.count == 1, "\(log.all.filter { $0.contains("counter gap") })")
    }

    @Test func tamperedAndGarbageFramesAreDroppedWithoutClosing() async throws {
        let h = try Harness()
        var frame = try h.client.seal(channel: .api, plaintext: TunnelMessage.request(TunnelRequest(id: 1, method: "GET", path: "/small")).encoded())
        frame[frame.count - 1] ^= 1
        await h.responder.receive(frame)
        await h.responder.receive([1, 2, 3])
        await h.responder.receive(try h.client.seal(channel: .api, plaintext: Array("not json".utf8)))
        try await h.get(2, "/small")
        #expect(try await h.response(2).status == 200)
    }
}
