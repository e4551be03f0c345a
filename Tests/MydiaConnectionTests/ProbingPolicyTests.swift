import Foundation
import MydiaConnection
import MydiaTestSupport
import Testing

/// Waits until the next probe round is scheduled after now, moves the clock there, and returns when.
private func advanceToNextProbe(_ h: Harness) async throws -> Duration {
    let clock = h.clock
    let snapshot = try await h.recorder.wait(for: "a scheduled probe") { ($0.nextProbeAt ?? .zero) > clock.elapsed }
    let due = try #require(snapshot.nextProbeAt)
    #expect(await h.clock.waitForSleeper(until: due))
    h.clock.advance(to: due)
    return due
}

/// Waits until the round at `time` has finished (a later one is scheduled).
private func nextScheduled(_ h: Harness, after time: Duration) async throws -> Duration {
    let snapshot = try await h.recorder.wait(for: "a probe after \(time)") { ($0.nextProbeAt ?? .zero) > time }
    return try #require(snapshot.nextProbeAt)
}

@Suite(.timeLimit(.minutes(1))) struct ProbingPolicyTests {
    @Test func failedRoundsBackOffWithJitterWithinBounds() async throws {
        // Jitter multipliers 0.5, 1.25, 1.0, 0.75, 1.375, 1.0 on 5, 10, 30, 60, 300, 300 s.
        let h = await Harness(random: [0.0, 0.75, 0.5, 0.25, 0.875, 0.5])
        await h.manager.start()
        var time = Duration.zero
        var delays: [Duration] = []
        for _ in 0..<6 {
            let due = try await nextScheduled(h, after: time)
            delays.append(due - time)
            #expect(await h.clock.waitForSleeper(until: due))
            h.clock.advance(to: due)
            time = due
        }
        #expect(delays == [2.5, 12.5, 30, 45, 412.5, 300].map { Duration.seconds($0) })
        let bases: [Double] = [5, 10, 30, 60, 300, 300]
        for (delay, base) in zip(delays, bases) {
            #expect(delay >= .seconds(base * 0.5) && delay < .seconds(base * 1.5))
        }
        _ = try await nextScheduled(h, after: time)
        #expect(h.direct.probes.count == 7)
        await h.manager.stop()
    }

    @Test func backoffIsCappedAtThirtySecondsWhileMediaStreamsOverTheRelay() async throws {
        let media = ControlledBody()
        let h = await Harness(
            relayResponder: RelayResponder { _ in PathResponse(status: 200, headers: [:], body: media.stream) },
            random: [0.875])
        await h.manager.start()
        try await h.recorder.wait(forState: .relay)
        let stream = try await h.manager.send(PathRequest(method: "GET", path: "/api/v1/hls/s1/seg-0.ts"))
        var time = Duration.zero
        var delays: [Duration] = []
        for _ in 0..<5 {
            let due = try await nextScheduled(h, after: time)
            delays.append(due - time)
            #expect(await h.clock.waitForSleeper(until: due))
            h.clock.advance(to: due)
            time = due
        }
        // 6.875, 13.75, then 41.25, 82.5, 412.5 capped at 30 s.
        #expect(delays == [6.875, 13.75, 30, 30, 30].map { Duration.seconds($0) })
        let due = try await nextScheduled(h, after: time)
        #expect(due - time == .seconds(30))
        media.finish()
        _ = try await collect(stream.body)
        #expect(await h.manager.snapshot().nextProbeAt == due, "the delay scheduled while streaming stays")
        #expect(await h.clock.waitForSleeper(until: due))
        h.clock.advance(to: due)
        #expect(try await nextScheduled(h, after: due) - due == .seconds(412.5), "no cap once the stream ended")
        await h.manager.stop()
    }

    @Test func fallbackResumesAtTheNextStepAndFiveMinutesOfDirectResetIt() async throws {
        let h = await Harness()
        h.direct.setResponder { _ in throw FakeTransportError(reason: "connection reset") }
        await h.manager.start()
        try await h.recorder.wait(forState: .relay)
        #expect(try await advanceToNextProbe(h) == .seconds(5))
        #expect(try await nextScheduled(h, after: .seconds(5)) == .seconds(15))
        h.direct.setProbe(urlA, .result(.ok(rtt: .milliseconds(1))))
        #expect(try await advanceToNextProbe(h) == .seconds(15))
        try await h.recorder.wait(forState: .direct)

        // Fails within 5 minutes: probing resumes at the next step (30 s).
        _ = try await h.manager.send(PathRequest(method: "GET", path: "/api/v1/remote/probe"))
        #expect(try await nextScheduled(h, after: .seconds(15)) == .seconds(45))
        #expect(try await advanceToNextProbe(h) == .seconds(45))
        let promoted = try await h.recorder.wait(for: "direct again") { $0.state == .direct && $0.takenAt == .seconds(45) }
        #expect(promoted.directURL == urlA)
        #expect(promoted.probeBackoffStep == 3)

        // Stays up 5 minutes: the step resets, the next fallback waits 5 s.
        #expect(await h.clock.waitForSleeper(until: .seconds(345)))
        h.clock.advance(to: .seconds(345))
        try await h.recorder.wait(for: "backoff reset") { $0.probeBackoffStep == 0 }
        _ = try await h.manager.send(PathRequest(method: "GET", path: "/api/v1/remote/probe"))
        #expect(try await nextScheduled(h, after: .seconds(345)) == .seconds(350))
        await h.manager.stop()
    }

    @Test func pinMismatchRefreshesFirstThenHoldsOnlyThatURLOffForTenMinutes() async throws {
        let h = await Harness(urls: [urlA, urlB]) { direct in
            direct.setProbe(urlA, .pinned(newPin))
            direct.setProbe(urlB, .result(.transportError("connection refused")))
        }
        await h.manager.start()
        let first = try await h.recorder.wait(for: "hold-off") { $0.candidates.first?.heldOffUntil != nil }
        #expect(h.refreshCalls.all == [.zero], "a fresh handshake was asked for before holding off")
        #expect(first.candidates.first?.heldOffUntil == .seconds(600))
        #expect(first.candidates.first?.lastResult == .pinMismatch(presented: newPin))
        #expect(first.candidates.last?.heldOffUntil == nil, "the hold-off is per URL")

        var time = Duration.zero
        while time < .seconds(600) { time = try await advanceToNextProbe(h) }
        _ = try await nextScheduled(h, after: time)
        let probesOfA = h.direct.probes.filter { $0.url == urlA }.map(\.at)
        let probesOfB = h.direct.probes.filter { $0.url == urlB }.map(\.at)
        #expect(probesOfA == [.zero, time], "A waits out its 10 minutes")
        #expect(probesOfB.count == probesOfA.count + 5, "B keeps being probed meanwhile")
        #expect(time >= .seconds(600))
        #expect(h.refreshCalls.all == [.zero, time])
        await h.manager.stop()
    }

    @Test func pinMismatchFixedByTheRefreshedFingerprintPromotesWithoutHoldOff() async throws {
        let h = await Harness(refreshed: DirectConfiguration(urls: [urlA], certificateFingerprint: newPin)) { direct in
            direct.setProbe(urlA, .pinned(newPin))
        }
        await h.manager.start()
        let snapshot = try await h.recorder.wait(forState: .direct)
        #expect(snapshot.directURL == urlA)
        #expect(snapshot.candidates.first?.heldOffUntil == nil)
        #expect(h.direct.probes.map(\.fingerprint) == [pin, newPin])
        #expect(h.refreshCalls.all.count == 1)
        await h.manager.stop()
    }

    @Test func preferredCandidateWinsWhenSeveralAnswer() async throws {
        let h = await Harness(urls: [urlA, urlB]) { direct in
            direct.setProbe(urlA, .result(.ok(rtt: .milliseconds(9))))
            direct.setProbe(urlB, .result(.ok(rtt: .milliseconds(1))))
        }
        await h.manager.start()
        #expect(try await h.recorder.wait(forState: .direct).directURL == urlA)
        await h.manager.stop()
    }

    @Test func discoveredLANCandidateIsProbedAtOnce() async throws {
        let lan = URL(string: "https://10.0.0.7:8443")!
        let h = await Harness { direct in direct.setProbe(lan, .result(.ok(rtt: .milliseconds(1)))) }
        await h.manager.start()
        try await h.recorder.wait(for: "first round over") { $0.nextProbeAt != nil }
        await h.manager.setDiscoveredCandidates([lan])
        let snapshot = try await h.recorder.wait(forState: .direct)
        #expect(snapshot.directURL == lan)
        #expect(snapshot.candidates.map(\.discovered) == [false, true])
        #expect(snapshot.takenAt == .zero)
        await h.manager.stop()
    }
}
