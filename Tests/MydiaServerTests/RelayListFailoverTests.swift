import Foundation
import Logging
import MydiaRelay
import MydiaServer
import MydiaTestSupport
import MydiaWire
import Testing

/// `mydia-server --relay A --relay B` (PROTOCOL.md §15): the link registers with A and, when A dies,
/// re-registers with the next relay of its list on the §2.1 backoff.
@Suite struct RelayListFailoverTests {
    @Test func whenTheFirstRelayDiesTheServerRegistersWithTheNext() async throws {
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        let first = try RelayServer(configuration: .init(host: "127.0.0.1", port: 0, logger: quiet))
        let firstTask = Task { try await first.run() }
        let firstOrigin = try RelayOrigin(try await withTimeout(.seconds(10)) { try await first.origin() })
        // The stack's own relay is the second of the list; the server starts on `first`.
        let stack = try await ServerStack.start { config in
            let second = config.relay
            config.relay = firstOrigin
            config.additionalRelays = [second]
        }
        defer { Task { await stack.stop() } }
        #expect(await stack.host.link.currentRelay == firstOrigin)

        firstTask.cancel()
        _ = await firstTask.result
        let second = try RelayOrigin(stack.relayOrigin)
        try await withTimeout(.seconds(15), "registration with the second relay") {
            while true {
                let link = stack.host.link
                if await link.isRegistered, await link.currentRelay == second { return }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        // Clients reach the instance through the second relay now.
        let client = TestSocket(second.clientWebSocketURL)
        client.send(.connect(instanceID: stack.instanceID))
        guard case .connected(let connected) = try await client.nextMessage(timeout: .seconds(10)) else {
            Issue.record("no connected through the second relay")
            return
        }
        #expect(connected.publicKey == stack.instanceKey)
        client.close()
    }
}
