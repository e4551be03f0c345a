import Foundation
import MydiaConnection
import MydiaTestSupport
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1))) struct RelayLifecycleTests {
    @Test func relayReconnectTriggersAnImmediateProbe() async throws {
        let h = await Harness()
        await h.manager.start()
        try await h.recorder.wait(for: "relay up, probe scheduled") { $0.state == .relay && $0.nextProbeAt == .seconds(5) }
        h.relay.sessions[0].end("socket dropped")
        try await h.recorder.wait(forState: .offline)
        #expect(await h.clock.waitForSleeper(until: .seconds(1)))
        h.clock.advance(to: .seconds(1))
        try await h.recorder.wait(for: "relay back, round over") { $0.state == .relay && $0.nextProbeAt == .seconds(11) }
        #expect(h.direct.probes.map(\.at) == [.zero, .seconds(1)], "re-probed at the reconnect, not at 5 s")
        await h.manager.stop()
    }

    @Test func unansweredHeartbeatCountsAsRelayLoss() async throws {
        var policy = ConnectionPolicy()
        policy.probeBackoff = [.seconds(1000)]
        let h = await Harness(policy: policy)
        await h.manager.start()
        try await h.recorder.wait(forState: .relay)
        h.relay.sessions[0].stopAnsweringPings()
        #expect(await h.clock.waitForSleeper(until: .seconds(15)))
        h.clock.advance(to: .seconds(15))
        let lost = try await h.recorder.wait(for: "relay lost") { $0.state == .offline && $0.nextRelayAttemptAt != nil }
        #expect(lost.transitions.last?.reason == "relay heartbeat unanswered")
        #expect(lost.nextRelayAttemptAt == .seconds(16))
        #expect(h.relay.sessions[0].isEnded, "the dead session is closed")
        await h.manager.stop()
    }

    @Test func requestsFailRetryablyWhileOfflineAndAfterStop() async throws {
        let h = await Harness(relayFailsAtFirst: true)
        await h.manager.start()
        let offline = try await h.recorder.wait(forState: .offline)
        #expect(offline.activePath == nil)
        let error = await #expect(throws: ConnectionManager.Error.self) {
            try await h.manager.send(PathRequest(method: "GET", path: "/api/v1/remote/probe"))
        }
        #expect(error == .offline)
        #expect(error?.isRetryable == true)
        await h.manager.stop()
        let stopped = await #expect(throws: ConnectionManager.Error.self) {
            try await h.manager.send(PathRequest(method: "GET", path: "/api/v1/remote/probe"))
        }
        #expect(stopped == .stopped)
    }

    /// A LAN without internet: the relay is refused at once, the direct URL answers a moment later.
    /// A request made in between waits for the first probe round instead of failing `offline`.
    @Test func aRequestWaitsForTheFirstProbeRoundWhenTheRelayFailsFirst() async throws {
        let gate = ProbeGate()
        let h = await Harness(relayFailsAtFirst: true) { direct in
            direct.setProbe(urlA, .gate(gate))
            direct.setResponder { request in FakeFile(size: 10).respond(to: request) }
        }
        await h.manager.start()
        try await h.recorder.wait(forState: .offline)
        let request = Task { try await h.manager.send(PathRequest(method: "GET", path: "/api/v1/remote/probe")) }
        try await Task.sleep(for: .milliseconds(50))
        gate.open(.ok(rtt: .milliseconds(3)))
        let response = try await withTimeout(.seconds(10), "request after the probe round") { try await request.value }
        #expect(response.status == 200)
        #expect(h.direct.log.all.map(\.path) == ["/api/v1/remote/probe"])
        await h.manager.stop()
    }

    /// When that first round fails too, the waiting request fails `offline`, as before.
    @Test func aRequestFailsOfflineOnceTheFirstProbeRoundFailsToo() async throws {
        let gate = ProbeGate()
        let h = await Harness(relayFailsAtFirst: true) { direct in direct.setProbe(urlA, .gate(gate)) }
        await h.manager.start()
        try await h.recorder.wait(forState: .offline)
        let request = Task { try await h.manager.send(PathRequest(method: "GET", path: "/api/v1/remote/probe")) }
        try await Task.sleep(for: .milliseconds(50))
        gate.open(.transportError("connection refused"))
        let error = await #expect(throws: ConnectionManager.Error.self) {
            try await withTimeout(.seconds(10), "failed request") { try await request.value }
        }
        #expect(error == .offline)
        await h.manager.stop()
    }

    @Test func aFinalRefusalIsWhatRequestsSeeAndRetriesSlowDown() async throws {
        let h = await Harness()
        h.relay.refusal = FakeTransportError(reason: "device revoked")
        await h.manager.start()
        let refused = try await h.recorder.wait(for: "refused") { $0.state == .offline && $0.relayRefusal != nil && $0.nextRelayAttemptAt != nil }
        #expect(refused.relayRefusal?.contains("device revoked") == true)
        #expect(refused.nextRelayAttemptAt == .seconds(30), "straight to the slowest backoff step")
        #expect(refused.transitions.last?.reason == "relay refused this device")
        let error = await #expect(throws: FakeTransportError.self) {
            try await h.manager.send(PathRequest(method: "GET", path: "/api/v1/remote/probe"))
        }
        #expect(error?.reason == "device revoked", "the cause, not a retryable 'offline'")
        h.relay.refusal = nil
        #expect(await h.clock.waitForSleeper(until: .seconds(30)))
        h.clock.advance(to: .seconds(30))
        let back = try await h.recorder.wait(forState: .relay)
        #expect(back.relayRefusal == nil)
        await h.manager.stop()
    }

    @Test func requestMadeBeforeTheRelayIsUpWaitsForIt() async throws {
        let h = await Harness()
        let manager = h.manager
        let pending = Task { try await manager.send(PathRequest(method: "GET", path: "/api/v1/stream/file/1")) }
        await manager.start()
        let response = try await withTimeout(.seconds(10), "queued request") { try await pending.value }
        #expect(try await collect(response.body).count == 1000)
        #expect(h.relay.sessions.first?.log.all.count == 1)
        await manager.stop()
    }
}

/// PROTOCOL.md §12.11: a tunnel that aborted its streams (counter gap) stays up; the manager
/// re-requests what it may.
@Suite(.timeLimit(.minutes(1))) struct ExchangeInterruptionTests {
    @Test func relayStreamAbortedMidBodyResumesByRangeOnTheRelay() async throws {
        let file = FakeFile(size: 70_000)
        let h = await Harness(relayResponder: RelayResponder { request in
            // PROTOCOL.md §12.11: the first stream is aborted after two chunks.
            file.respond(to: request, failAfterChunks: request.headers["range"] == nil ? 2 : nil, failure: ExchangeInterrupted(reason: "counter gap"))
        })
        await h.manager.start()
        try await h.recorder.wait(forState: .relay)
        let response = try await h.manager.send(PathRequest(method: "GET", path: "/api/v1/stream/file/9"))
        #expect(try await withTimeout(.seconds(10), "resumed body") { try await collect(response.body) } == file.bytes)
        let requests = h.relay.sessions[0].log.all
        #expect(requests.map { $0.headers["range"] } == [nil, "bytes=32768-"])
        #expect(await h.manager.currentState == .relay)
        await h.manager.stop()
    }

    @Test func interruptedRequestIsReissuedOnlyWhenIdempotent() async throws {
        let attempts = RequestLog()
        let h = await Harness(relayResponder: RelayResponder { request in
            attempts.append(request)
            if attempts.all.filter({ $0.path == request.path }).count == 1 {
                throw ExchangeInterrupted(reason: "counter gap")
            }
            return FakeFile(size: 10).respond(to: request)
        })
        await h.manager.start()
        try await h.recorder.wait(forState: .relay)
        let response = try await h.manager.send(PathRequest(method: "GET", path: "/api/v1/remote/probe"))
        #expect(response.status == 200)
        let body = try JSONSerialization.data(withJSONObject: ["query": "mutation { revokeDevice(id: \"1\") }"])
        let error = await #expect(throws: ConnectionManager.Error.self) {
            try await h.manager.send(PathRequest(method: "POST", path: "/api/graphql", body: Array(body)))
        }
        #expect(error == .interrupted(method: "POST", path: "/api/graphql"))
        #expect(attempts.all.map(\.method) == ["GET", "GET", "POST"])
        await h.manager.stop()
    }
}

/// PROTOCOL.md §13.38: a body cut by the end of its relay session continues by Range on the next
/// session, once the manager has reconnected; the caller sees one body.
@Suite(.timeLimit(.minutes(1))) struct RelaySessionLossTests {
    /// A relay whose first session's stream breaks after two chunks with the session's end.
    static func harness(file: FakeFile, policy: ConnectionPolicy = ConnectionPolicy()) async -> Harness {
        let cut = Mutex(false)
        return await Harness(relayResponder: RelayResponder { request in
            let alreadyCut = cut.withLock { wasCut in
                defer { wasCut = true }
                return wasCut
            }
            let first = request.headers["range"] == nil && !alreadyCut
            return file.respond(to: request, failAfterChunks: first ? 2 : nil,
                                failure: RelaySessionLost(reason: "The relay closed the session (slow_consumer)."))
        }, policy: policy)
    }

    @Test func aBodyCutByTheSessionsEndContinuesOnTheNextSession() async throws {
        let file = FakeFile(size: 70_000)
        let h = await Self.harness(file: file)
        await h.manager.start()
        try await h.recorder.wait(forState: .relay)
        let response = try await h.manager.send(PathRequest(method: "GET", path: "/api/v1/stream/file/9"))
        let manager = h.manager
        let body = Task { try await collect(response.body) }
        // The body waits: the dead session is still current until the manager notices its end.
        try await Task.sleep(for: .milliseconds(50))
        #expect(h.relay.sessions.count == 1)
        h.relay.sessions[0].end("socket dropped")
        try await h.recorder.wait(forState: .offline)
        #expect(await h.clock.waitForSleeper(until: .seconds(1)))
        h.clock.advance(to: .seconds(1))
        #expect(try await withTimeout(.seconds(10), "resumed body") { try await body.value } == file.bytes)
        #expect(h.relay.sessions.count == 2)
        #expect(h.relay.sessions[0].log.all.map { $0.headers["range"] } == [nil])
        #expect(h.relay.sessions[1].log.all.map { $0.headers["range"] } == ["bytes=32768-"])
        await manager.stop()
    }

    @Test func withoutANewSessionInTimeTheBodyFailsRetryably() async throws {
        var policy = ConnectionPolicy()
        policy.resumeWait = .seconds(5)
        policy.relayReconnectBackoff = [.seconds(60)]
        let h = await Self.harness(file: FakeFile(size: 70_000), policy: policy)
        await h.manager.start()
        try await h.recorder.wait(forState: .relay)
        let response = try await h.manager.send(PathRequest(method: "GET", path: "/api/v1/stream/file/9"))
        let body = Task { try await collect(response.body) }
        // The reader waits for a new session (it looks again every 100 ms), then the session ends.
        #expect(await h.clock.waitForSleeper(until: .milliseconds(100)))
        h.relay.sessions[0].end("socket dropped")
        try await h.recorder.wait(forState: .offline)
        h.clock.advance(to: .seconds(6))
        let error = await #expect(throws: ConnectionManager.Error.self) { try await withTimeout(.seconds(10), "failed body") { try await body.value } }
        #expect(error == .offline)
        #expect(h.relay.sessions.count == 1, "no reconnect came within the wait")
        await h.manager.stop()
    }
}
