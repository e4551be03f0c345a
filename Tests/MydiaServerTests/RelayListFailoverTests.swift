import Foundation
import Logging
import MydiaCrypto
import MydiaRelay
import MydiaServer
import MydiaTestSupport
import MydiaTunnel
import MydiaWire
import Testing

/// `mydia-server --relay A --relay B` (PROTOCOL.md §15): the link registers with A and, when A dies,
/// re-registers with the next relay of its list on the §2.1 backoff; a pairing claim goes to the
/// relay the instance is registered with now, not always to the first of the list.
@Suite struct RelayListFailoverTests {
    /// A server whose list is [A, the stack's own relay B], registered with A.
    struct TwoRelays {
        let first: Task<Void, any Error>
        let firstOrigin: RelayOrigin
        let stack: ServerStack

        static func start() async throws -> TwoRelays {
            var quiet = Logger(label: "test")
            quiet.logLevel = .critical
            let relay = try RelayServer(configuration: .init(host: "127.0.0.1", port: 0, logger: quiet))
            let first = Task { try await relay.run() }
            let firstOrigin = try RelayOrigin(try await withTimeout(.seconds(10)) { try await relay.origin() })
            let stack = try await ServerStack.start { config in
                let second = config.relay
                config.relay = firstOrigin
                config.additionalRelays = [second]
            }
            return TwoRelays(first: first, firstOrigin: firstOrigin, stack: stack)
        }

        /// Kills A and waits until the server is registered with B. - Returns: B.
        func killFirst() async throws -> RelayOrigin {
            first.cancel()
            _ = await first.result
            let second = try RelayOrigin(stack.relayOrigin)
            try await withTimeout(.seconds(15), "registration with the second relay") {
                while true {
                    let link = stack.host.link
                    if await link.isRegistered, await link.currentRelay == second { return }
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            return second
        }
    }

    @Test func whenTheFirstRelayDiesTheServerRegistersWithTheNext() async throws {
        let relays = try await TwoRelays.start()
        let stack = relays.stack
        defer { Task { await stack.stop() } }
        #expect(await stack.host.link.currentRelay == relays.firstOrigin)
        let second = try await relays.killFirst()
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

    /// With A dead, a claim published to A would be lost and the client told to look there.
    @Test func withTheFirstRelayDeadTheClaimGoesToTheRelayInUse() async throws {
        let relays = try await TwoRelays.start()
        let stack = relays.stack
        defer { Task { await stack.stop() } }
        // While A serves, the claim goes to A (and only there: these two relays share no store).
        let onFirst = try await stack.host.issueClaim()
        let lookup = SealedClaim.Keys(code: onFirst.code).lookupHex
        #expect(try await RelayHTTP.request("GET", origin: relays.firstOrigin, path: "/pairing/v2/claim/\(lookup)").status == 200)
        _ = try await relays.killFirst()
        // A is gone: the claim is published on B, where a client given B (or any node of a fleet) finds it.
        let claim = try await stack.host.issueClaim()
        let payload = try await stack.fetchClaim(claim.code.value)
        #expect(payload.instanceID == stack.instanceID)
    }
}
