import Foundation
import MydiaConnection
import MydiaTestSupport
import Testing

private func get(_ path: String) -> PathRequest { PathRequest(method: "GET", path: path) }

private func graphQL(_ document: String) -> PathRequest {
    let body = try! JSONSerialization.data(withJSONObject: ["query": document])
    return PathRequest(method: "POST", path: "/api/graphql", headers: ["content-type": "application/json"], body: Array(body))
}

@Suite(.timeLimit(.minutes(1))) struct ConnectionManagerTests {
    @Test func startsOnTheRelayAndServesRequestsThere() async throws {
        let h = await Harness()
        await h.manager.start()
        let snapshot = try await h.recorder.wait(forState: .relay)
        #expect(snapshot.activePath == .relay)
        #expect(snapshot.relay.isUp)
        let response = try await h.manager.send(get("/api/v1/stream/file/1"))
        #expect(try await collect(response.body) == FakeFile(size: 1000).bytes)
        #expect(h.relay.sessions.first?.log.all.map(\.path) == ["/api/v1/stream/file/1"])
        #expect(h.direct.log.all.isEmpty)
        #expect(await h.manager.snapshot().relay.bytesReceived == 1000)
        #expect(await h.manager.snapshot().transitions.map(\.to) == [.relay])
        await h.manager.stop()
    }

    @Test func promotesToDirectAfterOneSuccessfulProbe() async throws {
        let file = FakeFile(size: 5000)
        let h = await Harness { direct in
            direct.setProbe(urlA, .result(.ok(rtt: .milliseconds(2))))
            direct.setResponder { file.respond(to: $0) }
        }
        await h.manager.start()
        let snapshot = try await h.recorder.wait(forState: .direct)
        #expect(snapshot.directURL == urlA)
        #expect(snapshot.direct.roundTripTime == .milliseconds(2))
        #expect(snapshot.nextProbeAt == nil)
        let response = try await h.manager.send(get("/api/v1/stream/file/2"))
        #expect(try await collect(response.body) == file.bytes)
        #expect(h.direct.log.all.map(\.path) == ["/api/v1/stream/file/2"])
        #expect(h.relay.sessions.flatMap { $0.log.all }.isEmpty)
        await h.manager.stop()
    }

    @Test func dualLetsRelayRequestsFinishThenBecomesDirect() async throws {
        let slow = ControlledBody()
        let file = FakeFile(size: 300)
        let h = await Harness(relayResponder: RelayResponder { request in
            request.path == "/api/v1/stream/file/slow"
                ? PathResponse(status: 200, headers: [:], body: slow.stream) : file.respond(to: request)
        })
        h.direct.setResponder { file.respond(to: $0) }
        await h.manager.start()
        try await h.recorder.wait(forState: .relay)
        let running = try await h.manager.send(get("/api/v1/stream/file/slow"))
        let collector = Task { try await collect(running.body) }

        h.direct.setProbe(urlA, .result(.ok(rtt: .milliseconds(1))))
        await h.manager.probeNow()
        let dual = try await h.recorder.wait(forState: .dual)
        #expect(dual.relay.inFlight == 1)
        #expect(dual.activePath == .direct)

        // A new request goes direct while the relay one keeps streaming.
        let fresh = try await h.manager.send(get("/api/v1/stream/file/new"))
        #expect(try await collect(fresh.body) == file.bytes)
        #expect(h.direct.log.all.map(\.path) == ["/api/v1/stream/file/new"])
        #expect(await h.manager.currentState == .dual)

        slow.send([1, 2, 3])
        slow.send([4, 5])
        slow.finish()
        #expect(try await withTimeout(.seconds(10), "relay body") { try await collector.value } == [1, 2, 3, 4, 5])
        let direct = try await h.recorder.wait(forState: .direct)
        #expect(direct.relay.inFlight == 0)
        #expect(direct.transitions.map(\.to) == [.relay, .dual, .direct])
        #expect(direct.relay.isUp, "the relay session stays open while direct")
        await h.manager.stop()
    }

    @Test func directBodyFailureResumesOnTheRelayByRangeWithoutGapOrDuplicate() async throws {
        let file = FakeFile(size: 100_000)
        let h = await Harness(relayResponder: RelayResponder { file.respond(to: $0) }) { direct in
            direct.setProbe(urlA, .result(.ok(rtt: .milliseconds(2))))
            direct.setResponder { file.respond(to: $0, failAfterChunks: 3) }
        }
        await h.manager.start()
        try await h.recorder.wait(forState: .direct)
        let response = try await h.manager.send(get("/api/v1/stream/file/7"))
        #expect(response.status == 200)
        let body = try await withTimeout(.seconds(10), "resumed body") { try await collect(response.body) }
        #expect(body == file.bytes)
        let relayed = h.relay.sessions.flatMap { $0.log.all }
        #expect(relayed.count == 1)
        #expect(relayed.first?.headers["range"] == "bytes=49152-")
        #expect(relayed.first?.headers["if-range"] == "\"v1\"")
        _ = try await h.recorder.wait(forState: .relay)
        // The figures as they are now that the body is read (the snapshot published at the
        // transition itself may predate the relay's bytes).
        let snapshot = await h.manager.snapshot()
        #expect(snapshot.transitions.last?.from == .direct)
        #expect(snapshot.direct.bytesReceived == 49152)
        #expect(snapshot.relay.bytesReceived == 100_000 - 49152)
        await h.manager.stop()
    }

    @Test func idempotentRequestCutBeforeItsHeadIsReissuedOnTheRelay() async throws {
        let h = await Harness { direct in
            direct.setProbe(urlA, .result(.ok(rtt: .milliseconds(2))))
            direct.setResponder { _ in throw FakeTransportError(reason: "connection reset") }
        }
        await h.manager.start()
        try await h.recorder.wait(forState: .direct)
        let response = try await h.manager.send(graphQL("query { movies(first: 2) { totalCount } }"))
        #expect(response.status == 200)
        #expect(await h.manager.currentState == .relay)
        let relayed = h.relay.sessions.flatMap { $0.log.all }
        #expect(relayed.map(\.path) == ["/api/graphql"])
        #expect(relayed.first?.headers["range"] == nil)
        await h.manager.stop()
    }

    @Test func nonIdempotentRequestCutOnDirectFailsRetryableAndIsNotResent() async throws {
        let h = await Harness { direct in
            direct.setProbe(urlA, .result(.ok(rtt: .milliseconds(2))))
            direct.setResponder { _ in throw FakeTransportError(reason: "connection reset") }
        }
        await h.manager.start()
        try await h.recorder.wait(forState: .direct)
        let mutation = graphQL("mutation { markMovieWatched(movieId: \"1\", watched: true) { watched } }")
        let error = await #expect(throws: ConnectionManager.Error.self) { try await h.manager.send(mutation) }
        #expect(error == .interrupted(method: "POST", path: "/api/graphql"))
        #expect(error?.isRetryable == true)
        #expect(h.relay.sessions.flatMap { $0.log.all }.isEmpty)
        #expect(await h.manager.currentState == .relay)
        await h.manager.stop()
    }

    @Test func directBodyStalledForThreeSecondsFallsBackAndResumes() async throws {
        let file = FakeFile(size: 40_000)
        let h = await Harness(relayResponder: RelayResponder { file.respond(to: $0) }) { direct in
            direct.setProbe(urlA, .result(.ok(rtt: .milliseconds(2))))
            direct.setResponder { file.respond(to: $0, hangAfterChunks: 1) }
        }
        await h.manager.start()
        try await h.recorder.wait(forState: .direct)
        let start = h.clock.elapsed
        let response = try await h.manager.send(get("/api/v1/hls/s1/seg-1.ts"))
        let collector = Task { try await collect(response.body) }
        try await h.recorder.wait(for: "first direct chunk") { $0.direct.bytesReceived == 16_384 }
        #expect(await h.clock.waitForSleeper(until: start + .seconds(3)))
        #expect(await h.manager.currentState == .direct)
        h.clock.advance(to: start + .seconds(3))
        #expect(try await withTimeout(.seconds(10), "resumed body") { try await collector.value } == file.bytes)
        let relayed = h.relay.sessions.flatMap { $0.log.all }
        #expect(relayed.map { $0.headers["range"] } == ["bytes=16384-"])
        let snapshot = try await h.recorder.wait(forState: .relay)
        #expect(snapshot.transitions.last?.reason == "direct body stalled")
        #expect(snapshot.transitions.last?.at == start + .seconds(3))
        await h.manager.stop()
    }

    @Test func twoMissedKeepalivesFallBackToTheRelay() async throws {
        let held = ControlledBody()
        var policy = ConnectionPolicy()
        policy.relayHeartbeatInterval = .seconds(1000)
        let h = await Harness(policy: policy) { direct in
            direct.setProbe(urlA, .result(.ok(rtt: .milliseconds(2))))
            direct.setResponder { _ in PathResponse(status: 200, headers: [:], body: held.stream) }
        }
        await h.manager.start()
        try await h.recorder.wait(forState: .direct)
        h.direct.setProbe(urlA, .hang)
        // A response in flight (not being read) is traffic; keepalives run every 5 s.
        let response = try await h.manager.send(get("/api/v1/stream/file/3"))
        #expect(response.status == 200)
        for second in [5, 10] {
            #expect(await h.clock.waitForSleeper(until: .seconds(second)))
            h.clock.advance(to: .seconds(second))
        }
        #expect(await h.clock.waitForSleeper(until: .seconds(15)))
        #expect(await h.manager.currentState == .direct, "one missed keepalive is not enough")
        #expect(h.direct.probes.filter { $0.at > .zero }.map(\.at) == [.seconds(5), .seconds(10)])
        h.clock.advance(to: .seconds(15))
        let snapshot = try await h.recorder.wait(forState: .relay)
        #expect(snapshot.transitions.last?.reason == "2 keepalives missed")
        #expect(snapshot.transitions.last?.at == .seconds(15))
        await h.manager.stop()
    }

    @Test func networkChangeProbesAtOnce() async throws {
        let h = await Harness()
        await h.manager.start()
        let scheduled = try await h.recorder.wait(for: "a scheduled probe") { $0.nextProbeAt != nil }
        #expect(scheduled.nextProbeAt == .seconds(5))
        h.direct.setProbe(urlA, .result(.ok(rtt: .milliseconds(1))))
        await h.manager.networkChanged()
        let snapshot = try await h.recorder.wait(forState: .direct)
        #expect(snapshot.takenAt == .zero, "no time passed: the probe ran at once")
        #expect(h.direct.probes.map(\.at) == [.zero, .zero])
        await h.manager.stop()
    }

    @Test func relayLossReconnectsWithBackoffWhileDirectKeepsServing() async throws {
        let file = FakeFile(size: 2000)
        let h = await Harness { direct in
            direct.setProbe(urlA, .result(.ok(rtt: .milliseconds(2))))
            direct.setResponder { file.respond(to: $0) }
        }
        await h.manager.start()
        try await h.recorder.wait(for: "direct with the relay up") { $0.state == .direct && $0.relay.isUp }
        h.relay.failing = true
        h.relay.sessions[0].end("socket dropped")
        try await h.recorder.wait(for: "relay down") { $0.nextRelayAttemptAt == .seconds(1) }
        for due in [1, 3, 8, 18, 48, 78] {
            #expect(await h.clock.waitForSleeper(until: .seconds(due)), "reconnect due at \(due) s")
            h.clock.advance(to: .seconds(due))
            try await h.recorder.wait(for: "attempt at \(due) s") { $0.nextRelayAttemptAt ?? .zero > .seconds(due) }
        }
        #expect(h.relay.attemptTimes == [0, 1, 3, 8, 18, 48, 78].map { Duration.seconds($0) })
        #expect(await h.manager.currentState == .direct)
        let response = try await h.manager.send(get("/api/v1/stream/file/4"))
        #expect(try await collect(response.body) == file.bytes)
        #expect(h.direct.log.all.count == 1)

        h.relay.failing = false
        #expect(await h.clock.waitForSleeper(until: .seconds(108)))
        h.clock.advance(to: .seconds(108))
        let back = try await h.recorder.wait(for: "relay back") { $0.relay.isUp && $0.takenAt == .seconds(108) }
        #expect(back.state == .direct)
        #expect(back.transitions.map(\.to) == [.relay, .dual, .direct] || back.transitions.map(\.to) == [.dual, .direct])
        await h.manager.stop()
    }

    @Test func snapshotStreamReportsEveryTransition() async throws {
        let h = await Harness()
        await h.manager.start()
        try await h.recorder.wait(forState: .relay)
        try await h.recorder.wait(for: "failed probe") { $0.candidates.first?.lastResult != nil }
        h.direct.setProbe(urlA, .result(.ok(rtt: .milliseconds(1))))
        h.direct.setResponder { _ in throw FakeTransportError(reason: "connection reset") }
        await h.manager.probeNow()
        try await h.recorder.wait(forState: .direct)
        _ = try await h.manager.send(get("/api/v1/remote/probe"))
        let last = try await h.recorder.wait(for: "fallback") { $0.transitions.count == 4 }
        #expect(last.transitions.map { "\($0.from)>\($0.to)" } == ["connecting>relay", "relay>dual", "dual>direct", "direct>relay"])
        #expect(last.candidates.first?.lastError == nil)
        var seen: [ConnectionState] = []
        for state in h.recorder.all.map(\.state) where seen.last != state { seen.append(state) }
        #expect(seen == [.connecting, .relay, .dual, .direct, .relay])
        await h.manager.stop()
    }
}
