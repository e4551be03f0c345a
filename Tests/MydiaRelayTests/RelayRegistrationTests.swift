import MydiaCrypto
import MydiaRelay
import MydiaTestSupport
import MydiaWire
import Testing

@Suite struct RelayRegistrationTests {
    @Test func validProofRegistersAndInvalidProofIsRefusedAndClosed() async throws {
        let relay = try await RelayHarness.start()
        defer { Task { await relay.stop() } }
        let (good, reply) = try await relay.register(.init())
        #expect(reply == .registered(relayProtocol: 1))

        let (bad, refusal) = try await relay.register(.init(), tamper: true)
        guard case .error(let code, _) = refusal else { Issue.record("expected an error, got \(refusal)"); return }
        #expect(code == .invalidProof)
        #expect(await bad.waitForClose())
        _ = good
    }

    @Test func proofForAnotherKeyCannotClaimAnId() async throws {
        let relay = try await RelayHarness.start()
        defer { Task { await relay.stop() } }
        // Sign with one key, claim another: the relay must refuse.
        let socket = TestSocket(relay.tunnelURL)
        guard case .challenge(let nonce, let relayKey) = try await socket.nextMessage() else { Issue.record("no challenge"); return }
        let id = "11111111-2222-4333-8444-555555555555"
        let signer = X25519KeyPair.generate()
        let proof = try RegistrationProof.make(staticKey: signer, relayKey: relayKey, nonce: nonce, instanceID: id)
        socket.send(.register(.init(instanceID: id, publicKey: X25519KeyPair.generate().publicKey, proof: proof)))
        guard case .error(let code, _) = try await socket.nextMessage() else { Issue.record("expected error"); return }
        #expect(code == .invalidProof)
        // Nothing got bound: a client still hears instance_not_found.
        let client = TestSocket(relay.clientURL)
        client.send(.connect(instanceID: id))
        guard case .error(let notFound, _) = try await client.nextMessage() else { Issue.record("expected error"); return }
        #expect(notFound == .instanceNotFound)
    }

    @Test func differentKeyForABoundIdIsAConflictEvenAfterGoingOffline() async throws {
        let relay = try await RelayHarness.start()
        defer { Task { await relay.stop() } }
        let first = RelayHarness.Instance()
        let (socket, _) = try await relay.registeredInstance(first)

        let impostor = RelayHarness.Instance(id: first.id)
        let (other, reply) = try await relay.register(impostor)
        guard case .error(let code, _) = reply else { Issue.record("expected conflict, got \(reply)"); return }
        #expect(code == .instanceIDConflict)
        #expect(await other.waitForClose())

        // The binding survives the instance going offline (kept 24 h, §12.2).
        socket.close()
        #expect(await socket.waitForClose())
        let (late, lateReply) = try await relay.register(impostor)
        guard case .error(let lateCode, _) = lateReply else { Issue.record("expected conflict, got \(lateReply)"); return }
        #expect(lateCode == .instanceIDConflict)
        _ = late
    }

    @Test func bindingExpiresAfterTheRetentionPeriod() async throws {
        let clock = ManualClock()
        var timeouts = RelayTimeouts()
        timeouts.bindingRetention = .seconds(100)
        let relay = try await RelayHarness.start(timeouts: timeouts, clock: clock.relayClock)
        defer { Task { await relay.stop() } }
        let first = RelayHarness.Instance()
        let (socket, _) = try await relay.registeredInstance(first)
        socket.close()
        try await relay.waitUntilOffline(first)
        clock.advance(by: .seconds(101))
        let (_, reply) = try await relay.register(RelayHarness.Instance(id: first.id))
        #expect(reply == .registered(relayProtocol: 1))
    }

    @Test func provenReRegisterReplacesTheOlderSocketAndEndsItsSessions() async throws {
        let relay = try await RelayHarness.start()
        defer { Task { await relay.stop() } }
        let (old, instance) = try await relay.registeredInstance()
        let (client, _) = try await relay.connectedClient(to: instance, instanceSocket: old)

        let (replacement, reply) = try await relay.register(instance)
        #expect(reply == .registered(relayProtocol: 1))
        #expect(try await client.nextMessage() == .close(sessionID: nil, reason: .instanceDisconnected))
        #expect(await client.waitForClose())
        #expect(await old.waitForClose())

        // New sessions reach the replacement.
        let (client2, session2) = try await relay.connectedClient(to: instance, instanceSocket: replacement)
        client2.sendBinary([9, 9])
        #expect(try await replacement.nextBinary() == Array(session2.utf8) + [9, 9])
    }

    @Test func registerWithoutProtocolOneIsUnsupported() async throws {
        let relay = try await RelayHarness.start()
        defer { Task { await relay.stop() } }
        let (socket, reply) = try await relay.register(.init(), relayProtocol: [2, 3])
        guard case .error(let code, _) = reply else { Issue.record("expected error, got \(reply)"); return }
        #expect(code == .unsupportedProtocol)
        #expect(await socket.waitForClose())
    }

}
