import Foundation
import Logging
import MydiaCrypto
import MydiaRelay
import MydiaServer
import MydiaTestSupport
import MydiaTunnel
import MydiaWire
import Testing

/// `mydia-server --relay A --relay B` (PROTOCOL.md §15): a pairing claim goes to the relay the
/// instance is registered with now, not always to the first of the list — with A dead, a claim
/// published to A would be lost and the client told to look there.
@Suite struct RelayListClaimTests {
    @Test func withTheFirstRelayDeadTheClaimGoesToTheRelayInUse() async throws {
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        let first = try RelayServer(configuration: .init(host: "127.0.0.1", port: 0, logger: quiet))
        let firstTask = Task { try await first.run() }
        let firstOrigin = try RelayOrigin(try await withTimeout(.seconds(10)) { try await first.origin() })
        let stack = try await ServerStack.start { config in
            let second = config.relay
            config.relay = firstOrigin
            config.additionalRelays = [second]
        }
        defer { Task { await stack.stop() } }

        // While A serves, the claim goes to A (and only there: these two relays share no store).
        let onFirst = try await stack.host.issueClaim()
        let lookup = SealedClaim.Keys(code: onFirst.code).lookupHex
        #expect(try await RelayHTTP.request("GET", origin: firstOrigin, path: "/pairing/v2/claim/\(lookup)").status == 200)

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
        // A is gone: the claim is published on B, where a client given B (or any node of a fleet) finds it.
        let claim = try await stack.host.issueClaim()
        let payload = try await stack.fetchClaim(claim.code.value)
        #expect(payload.instanceID == stack.instanceID)
    }
}
