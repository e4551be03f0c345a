import Foundation
import MydiaRelay
import MydiaTestSupport
import MydiaWire
import Testing

/// A peer that never reads cannot make the relay hold more than one budget for it, and garbage
/// cannot make it write without bound (PROTOCOL.md §12.4): the socket is closed at its limit, at
/// once, not behind a queue the peer is not draining.
@Suite(.serialized, .timeLimit(.minutes(1))) struct RelayBudgetTests {
    /// Waits until the relay has exactly `sockets` open WebSockets; `false` after `timeout`.
    static func settle(_ relay: RelayHarness, to sockets: Int, within timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if relay.server.socketLoad.sockets == sockets { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return relay.server.socketLoad.sockets == sockets
    }

    @Test(arguments: ["/relay/client/websocket", "/relay/tunnel/websocket"])
    func garbageFromAPeerThatNeverReadsClosesItsSocketPastItsShare(path: String) async throws {
        let relay = try await RelayHarness.start()
        defer { Task { await relay.stop() } }
        let attacker = try RawWebSocket(port: relay.port, path: path)
        #expect(try await Self.settle(relay, to: 1, within: .seconds(2)))
        for _ in 0..<RelayLimits().maxBadMessages { #expect(attacker.sendText("x")) }
        try await Task.sleep(for: .milliseconds(300))
        #expect(relay.server.socketLoad.sockets == 1, "its share of bad requests is answered")
        for _ in 0..<200 {
            guard attacker.sendText("x") else { break }  // blocked for 2 s: the relay stopped reading
        }
        // Well before the 10 s first-message deadline.
        #expect(try await Self.settle(relay, to: 0, within: .seconds(3)))
    }

    @Test func pingsAfterConnectFromAClientThatNeverReadsStayWithinItsBudget() async throws {
        var limits = RelayLimits()
        limits.maxBufferedPerSession = 32 * 1024
        let relay = try await RelayHarness.start(limits: limits)
        defer { Task { await relay.stop() } }
        let (instanceSocket, instance) = try await relay.registeredInstance()
        let attacker = try RawWebSocket(port: relay.port, path: "/relay/client/websocket")
        attacker.sendText(RelayMessage.connect(instanceID: instance.id).jsonText)
        guard case .connection = try await instanceSocket.nextMessage() else { Issue.record("no connection"); return }
        let ping = RelayMessage.ping.jsonText
        var peak = 0
        var sent = 0
        // Each pong is ~15 bytes: 100,000 of them are 1.5 MB, more than the budget plus what the
        // kernel's and NIO's buffers take before the relay's writer blocks.
        while sent < 100_000, attacker.sendText(ping) {
            sent += 1
            if sent % 500 == 0 { peak = max(peak, relay.server.socketLoad.queuedBytes) }
        }
        #expect(peak <= limits.maxBufferedPerSession + limits.instanceQueueBudget, "queued \(peak) bytes")
        #expect(try await Self.settle(relay, to: 1, within: .seconds(5)), "the attacker is closed; the instance stays")
        // The instance hears that the session ended.
        var closed = false
        while let event = await instanceSocket.next(timeout: .seconds(5)) {
            if case .text(let t) = event, case .close = try RelayMessage.decode(t) { closed = true; break }
        }
        #expect(closed)
    }
}
