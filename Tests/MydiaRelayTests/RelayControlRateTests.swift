import Foundation
import MydiaRelay
import MydiaTestSupport
import MydiaWire
import Testing

/// A socket's control messages are bounded by a rate (PROTOCOL.md §12.4, §13): a heartbeat is
/// answered, a `ping` flood is not — it counts as bad messages and closes the socket (the fault
/// lab's `dos-relay` found 20 pinging sockets taking the relay to 362 MiB before this bound).
@Suite(.serialized, .timeLimit(.minutes(1))) struct RelayControlRateTests {
    @Test(arguments: ["/relay/client/websocket", "/relay/tunnel/websocket"])
    func aPingFloodClosesTheSocketWhileTheBurstStaysOpen(path: String) async throws {
        let relay = try await RelayHarness.start()
        defer { Task { await relay.stop() } }
        let limits = RelayLimits()
        let attacker = try RawWebSocket(port: relay.port, path: path)
        #expect(try await RelayBudgetTests.settle(relay, to: 1, within: .seconds(2)))
        let ping = RelayMessage.ping.jsonText
        // Within the burst plus the bad-message share: open (a ping before connect/register is
        // activity; the first-message deadline is 10 s away).
        for _ in 0..<(limits.controlBurst + limits.maxBadMessages - 2) { #expect(attacker.sendText(ping)) }
        try await Task.sleep(for: .milliseconds(300))
        #expect(relay.server.socketLoad.sockets == 1, "a burst of pings is allowed")
        for _ in 0..<200 {
            guard attacker.sendText(ping) else { break }
        }
        #expect(try await RelayBudgetTests.settle(relay, to: 0, within: .seconds(3)), "the flood is closed")
    }

    @Test func aClientHeartbeatWithinTheRateKeepsItsSession() async throws {
        let relay = try await RelayHarness.start()
        defer { Task { await relay.stop() } }
        let (instanceSocket, instance) = try await relay.registeredInstance()
        let client = try RawWebSocket(port: relay.port, path: "/relay/client/websocket")
        #expect(client.sendText(RelayMessage.connect(instanceID: instance.id).jsonText))
        guard case .connection = try await instanceSocket.nextMessage() else { Issue.record("no connection"); return }
        // 20 pings in 2.4 s — far more than a 30 s heartbeat, still within the burst.
        for _ in 0..<RelayLimits().controlBurst {
            #expect(client.sendText(RelayMessage.ping.jsonText))
            try await Task.sleep(for: .milliseconds(120))
        }
        #expect(relay.server.socketLoad.sockets == 2, "instance and client both still open")
    }
}
