import Foundation
import MydiaConnection
import MydiaTestSupport
import Testing

@Suite(.timeLimit(.minutes(1))) struct DirectFailureTests {
    @Test func responseHeadMissingForThreeSecondsFallsBackAndReissues() async throws {
        let h = await Harness { direct in
            direct.setProbe(urlA, .result(.ok(rtt: .milliseconds(2))))
            direct.setResponder { _ in
                // Never answers; the manager abandons it (cancellation ends the wait).
                try await Task.sleep(for: .seconds(3600))
                throw FakeTransportError(reason: "unreachable")
            }
        }
        await h.manager.start()
        try await h.recorder.wait(forState: .direct)
        let manager = h.manager
        let pending = Task { try await manager.send(PathRequest(method: "GET", path: "/api/v1/stream/file/5")) }
        try await h.recorder.wait(for: "request in flight on direct") { $0.direct.inFlight == 1 }
        #expect(await h.clock.waitForSleeper(until: .seconds(3)))
        #expect(await h.manager.currentState == .direct)
        h.clock.advance(to: .seconds(3))
        let response = try await withTimeout(.seconds(10), "re-issued request") { try await pending.value }
        #expect(try await collect(response.body).count == 1000)
        let snapshot = try await h.recorder.wait(forState: .relay)
        #expect(snapshot.transitions.last?.reason == "direct response stalled")
        #expect(snapshot.transitions.last?.at == .seconds(3))
        #expect(h.relay.sessions[0].log.all.map(\.path) == ["/api/v1/stream/file/5"])
        await h.manager.stop()
    }

    @Test func networkChangeWhileDirectRechecksTheDirectURLAtOnce() async throws {
        let h = await Harness { direct in direct.setProbe(urlA, .result(.ok(rtt: .milliseconds(2)))) }
        await h.manager.start()
        try await h.recorder.wait(forState: .direct)
        h.direct.setProbe(urlA, .result(.transportError("network unreachable")))
        await h.manager.networkChanged()
        let snapshot = try await h.recorder.wait(for: "fallback and a new round") {
            $0.state == .relay && $0.nextProbeAt != nil
        }
        #expect(snapshot.takenAt == .zero)
        #expect(snapshot.transitions.last?.reason.hasPrefix("network changed") == true)
        // Probed at start, re-checked on the change, then a fresh round at once.
        #expect(h.direct.probes.map(\.at) == [.zero, .zero, .zero])
        await h.manager.stop()
    }
}
