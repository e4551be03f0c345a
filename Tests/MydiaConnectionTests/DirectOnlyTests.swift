import Foundation
import MydiaConnection
import MydiaTestSupport
import Testing

/// A direct-only manager wired to a fake direct path on a manual clock (a URL-login server).
struct DirectOnlyHarness {
    let clock = ManualClock()
    let direct: FakeDirectPath
    let manager: ConnectionManager
    let recorder: SnapshotRecorder

    init(urls: [URL] = [urlA], fingerprint: String? = nil, random: [Double] = [0.5], setUp: (FakeDirectPath) -> Void = { _ in }) async {
        direct = FakeDirectPath(clock: clock)
        setUp(direct)
        let jitter = QueuedRandom(random)
        manager = ConnectionManager(
            directOnly: direct, configuration: DirectConfiguration(urls: urls, certificateFingerprint: fingerprint),
            clock: clock, random: { jitter.next() })
        recorder = SnapshotRecorder(await manager.snapshots())
    }
}

let untrusted = ProbeRefusal(.certificateNotTrusted, message: "The server's certificate is not trusted — pass --ca FILE.")
let loginGone = ProbeRefusal(.credentialsRejected, message: "The server no longer accepts this login — log in again.")

/// PROTOCOL.md §14.2 with §8's state machine: no relay, requests wait for the first probe round,
/// `offline` carries the probe's verdict, `direct` without `dual`, a direct failure goes offline.
@Suite(.timeLimit(.minutes(1))) struct DirectOnlyTests {
    @Test func requestsWaitForTheFirstRoundAndGoDirectWithoutDual() async throws {
        let gate = ProbeGate()
        let h = await DirectOnlyHarness { direct in
            direct.setProbe(urlA, .gate(gate))
            direct.setResponder { request in FakeFile(size: 300).respond(to: request) }
        }
        #expect(h.manager.isDirectOnly)
        await h.manager.start()
        let manager = h.manager
        let pending = Task { try await manager.send(PathRequest(method: "GET", path: "/api/v1/stream/file/1")) }
        try await withTimeout(.seconds(5), "the first probe") { while h.direct.probes.isEmpty { try await Task.sleep(for: .milliseconds(5)) } }
        try await Task.sleep(for: .milliseconds(50))
        #expect(await manager.currentState == .connecting)
        #expect(h.direct.log.all.isEmpty, "the request waits for the round")
        gate.open(.ok(rtt: .milliseconds(4)))
        let response = try await withTimeout(.seconds(5), "the waiting request") { try await pending.value }
        #expect(try await collect(response.body).count == 300)
        let snapshot = try await h.recorder.wait(forState: .direct)
        #expect(snapshot.isDirectOnly && snapshot.activePath == .direct && snapshot.directURL == urlA)
        #expect(snapshot.transitions.map { "\($0.from)→\($0.to)" } == ["connecting→direct"])
        #expect(!snapshot.relay.isUp && snapshot.nextRelayAttemptAt == nil && snapshot.directRefusal == nil)
        #expect(h.direct.probes.map(\.fingerprint) == [nil], "no pin: the path owns its TLS mode")
        await h.manager.stop()
    }

    @Test func aRoundThatFailsEverywhereGoesOfflineWithTheProbesVerdictUntilALaterRoundSucceeds() async throws {
        let h = await DirectOnlyHarness(urls: [urlA, urlB], random: [0.0]) { direct in
            direct.setProbe(urlA, .result(.refused(untrusted)))
            direct.setProbe(urlB, .result(.transportError("connection refused")))
            direct.setResponder { request in FakeFile(size: 10).respond(to: request) }
        }
        await h.manager.start()
        let offline = try await h.recorder.wait(forState: .offline)
        #expect(offline.directRefusal == untrusted.message, "the most preferred URL's verdict")
        #expect(offline.transitions.last?.reason == untrusted.message)
        await #expect(throws: ConnectionManager.Error.directUnavailable(.refused(untrusted))) {
            _ = try await h.manager.send(PathRequest(method: "GET", path: "/api/v1/stream/file/1"))
        }
        #expect(!ConnectionManager.Error.directUnavailable(.refused(untrusted)).isRetryable)
        #expect(ConnectionManager.Error.directUnavailable(.refused(untrusted)).description == untrusted.message)
        #expect(ConnectionManager.Error.directUnavailable(.timedOut).isRetryable)
        // The backoff goes on (5 s × 0.5), and a later round promotes straight to direct.
        let scheduled = try await h.recorder.wait(for: "the next round") { $0.nextProbeAt != nil }
        #expect(scheduled.nextProbeAt == .milliseconds(2500))
        h.direct.setProbe(urlB, .result(.ok(rtt: .milliseconds(9))))
        #expect(await h.clock.waitForSleeper(until: .milliseconds(2500)))
        h.clock.advance(to: .milliseconds(2500))
        let direct = try await h.recorder.wait(forState: .direct)
        #expect(direct.directURL == urlB && direct.directRefusal == nil)
        #expect(direct.transitions.map { "\($0.from)→\($0.to)" } == ["connecting→offline", "offline→direct"])
        let response = try await h.manager.send(PathRequest(method: "GET", path: "/api/v1/stream/file/1"))
        #expect(try await collect(response.body).count == 10)
        await h.manager.stop()
    }

    @Test func aDirectFailureGoesOfflineNeverToARelayAndReprobesAtOnce() async throws {
        let h = await DirectOnlyHarness(random: [0.0]) { direct in
            direct.setProbe(urlA, .result(.ok(rtt: .milliseconds(2))))
            direct.setResponder { _ in throw FakeTransportError(reason: "connection reset") }
        }
        await h.manager.start()
        try await h.recorder.wait(forState: .direct)
        h.direct.setProbe(urlA, .result(.transportError("connection refused")))
        await #expect(throws: ConnectionManager.Error.offline) {
            _ = try await h.manager.send(PathRequest(method: "GET", path: "/api/v1/stream/file/1"))
        }
        let offline = try await h.recorder.wait(for: "offline after the re-probe") { $0.state == .offline && $0.directRefusal != nil }
        #expect(offline.directRefusal == "The connection failed: connection refused.")
        #expect(offline.transitions.map { "\($0.from)→\($0.to)" } == ["connecting→direct", "direct→offline"])
        #expect(h.direct.probes.map(\.at) == [.zero, .zero], "probed again at once, not after a backoff")
        await #expect(throws: ConnectionManager.Error.directUnavailable(.transportError("connection refused"))) {
            _ = try await h.manager.send(PathRequest(method: "GET", path: "/api/v1/stream/file/1"))
        }
        await h.manager.stop()
    }

    @Test func aKeepaliveTheServerRefusesFailsThePathAtOnce() async throws {
        let media = ControlledBody()
        let h = await DirectOnlyHarness { direct in
            direct.setProbe(urlA, .result(.ok(rtt: .milliseconds(2))))
            direct.setResponder { _ in PathResponse(status: 200, headers: [:], body: media.stream) }
        }
        await h.manager.start()
        try await h.recorder.wait(forState: .direct)
        let stream = try await h.manager.send(PathRequest(method: "GET", path: "/api/v1/stream/file/1"))
        h.direct.setProbe(urlA, .result(.refused(loginGone)))
        #expect(await h.clock.waitForSleeper(until: .seconds(5)))
        h.clock.advance(to: .seconds(5))
        let offline = try await h.recorder.wait(for: "offline with the refusal") { $0.state == .offline && $0.directRefusal != nil }
        #expect(offline.directRefusal == loginGone.message)
        await #expect(throws: ConnectionManager.Error.directUnavailable(.refused(loginGone))) {
            _ = try await h.manager.send(PathRequest(method: "POST", path: "/api/graphql"))
        }
        media.finish()
        _ = try? await collect(stream.body)
        await h.manager.stop()
    }

    @Test func aPinIsHandedToThePathAndAMismatchHoldsTheURLOffWithoutARefresh() async throws {
        let h = await DirectOnlyHarness(fingerprint: pin) { direct in direct.setProbe(urlA, .pinned(newPin)) }
        await h.manager.start()
        let offline = try await h.recorder.wait(for: "offline, held off") { $0.state == .offline && $0.candidates.first?.heldOffUntil != nil }
        #expect(offline.candidates.first?.heldOffUntil == .seconds(600))
        #expect(offline.directRefusal == "The server presented a different certificate than the paired one.")
        #expect(h.direct.probes.map(\.fingerprint) == [pin])
        await h.manager.stop()
    }
}
