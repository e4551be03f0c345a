import MydiaCrypto
import MydiaRelay
import MydiaTestSupport
import MydiaWire
import Testing

@Suite struct RelaySessionTests {
    @Test func connectGetsConnectedWithTheInstanceKeyAndAFreshSessionId() async throws {
        let relay = try await RelayHarness.start()
        defer { Task { await relay.stop() } }
        let (instanceSocket, instance) = try await relay.registeredInstance()
        let client = TestSocket(relay.clientURL)
        client.send(.connect(instanceID: instance.id))
        guard case .connected(let c) = try await client.nextMessage() else { Issue.record("no connected"); return }
        #expect(c.instanceID == instance.id && c.publicKey == instance.keys.publicKey)
        #expect(c.webrtcE2EE == 1 && c.relayProtocol == 1)
        #expect(RelaySessionID.isValid(c.sessionID))
        #expect(try await instanceSocket.nextMessage() == .connection(sessionID: c.sessionID))

        let (_, second) = try await relay.connectedClient(to: instance, instanceSocket: instanceSocket)
        #expect(second != c.sessionID)
    }

    @Test func binaryIsForwardedBothWaysWithThePrefixOnTheInstanceSideOnly() async throws {
        let relay = try await RelayHarness.start()
        defer { Task { await relay.stop() } }
        let (instanceSocket, instance) = try await relay.registeredInstance()
        let (a, sessionA) = try await relay.connectedClient(to: instance, instanceSocket: instanceSocket)
        let (b, sessionB) = try await relay.connectedClient(to: instance, instanceSocket: instanceSocket)

        let big = (0..<65_563).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        a.sendBinary(big)
        #expect(try await instanceSocket.nextBinary() == RelaySessionFrame.encode(sessionID: sessionA, payload: big))
        b.sendBinary([1, 2, 3])
        #expect(try await instanceSocket.nextBinary() == Array(sessionB.utf8) + [1, 2, 3])

        instanceSocket.sendBinary(RelaySessionFrame.encode(sessionID: sessionB, payload: [4, 5]))
        instanceSocket.sendBinary(RelaySessionFrame.encode(sessionID: sessionA, payload: big))
        #expect(try await b.nextBinary() == [4, 5])
        #expect(try await a.nextBinary() == big)
        // An empty E2EE payload is still a frame.
        instanceSocket.sendBinary(Array(sessionA.utf8))
        #expect(try await a.nextBinary() == [])
    }

    @Test func framesForUnknownOrForeignSessionsAreDropped() async throws {
        let relay = try await RelayHarness.start()
        defer { Task { await relay.stop() } }
        let (instance1, id1) = try await relay.registeredInstance()
        let (instance2, id2) = try await relay.registeredInstance()
        let (client1, session1) = try await relay.connectedClient(to: id1, instanceSocket: instance1)
        let (client2, session2) = try await relay.connectedClient(to: id2, instanceSocket: instance2)

        // Instance 2 may not address instance 1's session, nor an id never assigned, nor garbage.
        instance2.sendBinary(RelaySessionFrame.encode(sessionID: session1, payload: [0xee]))
        instance2.sendBinary(RelaySessionFrame.encode(sessionID: "00000000-0000-4000-8000-000000000000", payload: [0xee]))
        instance2.sendBinary([1, 2, 3])
        instance2.send(.close(sessionID: session1, reason: .handshakeFailed))
        // Sequenced after the drops on the same socket: its own session works.
        instance2.sendBinary(RelaySessionFrame.encode(sessionID: session2, payload: [7]))
        #expect(try await client2.nextBinary() == [7])
        instance1.sendBinary(RelaySessionFrame.encode(sessionID: session1, payload: [8]))
        #expect(try await client1.nextBinary() == [8])
    }

    @Test func instanceCloseIsForwardedAfterTheDataBeforeIt() async throws {
        let relay = try await RelayHarness.start()
        defer { Task { await relay.stop() } }
        let (instanceSocket, instance) = try await relay.registeredInstance()
        let (client, session) = try await relay.connectedClient(to: instance, instanceSocket: instanceSocket)
        for i in 0..<20 { instanceSocket.sendBinary(RelaySessionFrame.encode(sessionID: session, payload: [UInt8(i)])) }
        instanceSocket.send(.close(sessionID: session, reason: .handshakeFailed))
        for i in 0..<20 { #expect(try await client.nextBinary() == [UInt8(i)]) }
        #expect(try await client.nextMessage() == .close(sessionID: nil, reason: .handshakeFailed))
        #expect(await client.waitForClose())
    }

    @Test func clientCloseAndClientDisconnectReachTheInstance() async throws {
        let relay = try await RelayHarness.start()
        defer { Task { await relay.stop() } }
        let (instanceSocket, instance) = try await relay.registeredInstance()
        let (client, session) = try await relay.connectedClient(to: instance, instanceSocket: instanceSocket)
        client.sendBinary([1])
        client.send(.close(sessionID: nil, reason: .handshakeTimeout))
        #expect(try await instanceSocket.nextBinary() == Array(session.utf8) + [1])
        #expect(try await instanceSocket.nextMessage() == .close(sessionID: session, reason: .handshakeTimeout))

        let (client2, session2) = try await relay.connectedClient(to: instance, instanceSocket: instanceSocket)
        client2.close()
        #expect(try await instanceSocket.nextMessage() == .close(sessionID: session2, reason: .clientDisconnected))
        _ = client
    }

    @Test func instanceDisconnectClosesItsSessions() async throws {
        let relay = try await RelayHarness.start()
        defer { Task { await relay.stop() } }
        let (instanceSocket, instance) = try await relay.registeredInstance()
        let (client, _) = try await relay.connectedClient(to: instance, instanceSocket: instanceSocket)
        instanceSocket.close()
        #expect(try await client.nextMessage() == .close(sessionID: nil, reason: .instanceDisconnected))
        #expect(await client.waitForClose())
    }

    @Test func offlineMeansRegisteredBeforeAndNotFoundMeansNever() async throws {
        let relay = try await RelayHarness.start()
        defer { Task { await relay.stop() } }
        let (instanceSocket, instance) = try await relay.registeredInstance()
        instanceSocket.close()
        #expect(await instanceSocket.waitForClose())

        let client = TestSocket(relay.clientURL)
        // The relay notices the close asynchronously: retry until it reports offline.
        var code: RelayErrorCode?
        for _ in 0..<50 {
            client.send(.connect(instanceID: instance.id))
            guard case .error(let c, _) = try await client.nextMessage() else { Issue.record("expected error"); return }
            code = c
            if c == .instanceOffline { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(code == .instanceOffline)
        client.send(.connect(instanceID: "99999999-9999-4999-8999-999999999999"))
        guard case .error(let other, _) = try await client.nextMessage() else { Issue.record("expected error"); return }
        #expect(other == .instanceNotFound)
    }

    @Test func secondConnectOnOneSocketIsABadRequestAndTheSessionLivesOn() async throws {
        let relay = try await RelayHarness.start()
        defer { Task { await relay.stop() } }
        let (instanceSocket, instance) = try await relay.registeredInstance()
        let (client, session) = try await relay.connectedClient(to: instance, instanceSocket: instanceSocket)
        client.send(.connect(instanceID: instance.id))
        guard case .error(let code, _) = try await client.nextMessage() else { Issue.record("expected error"); return }
        #expect(code == .badRequest)
        client.sendBinary([5])
        #expect(try await instanceSocket.nextBinary() == Array(session.utf8) + [5])
    }

    @Test func clientPingIsAnsweredAndUnknownTypesAndFieldsAreIgnored() async throws {
        let relay = try await RelayHarness.start()
        defer { Task { await relay.stop() } }
        let (instanceSocket, instance) = try await relay.registeredInstance()
        let client = TestSocket(relay.clientURL)
        client.sendText(#"{"type":"future_thing","x":1}"#)
        client.send(.ping)
        #expect(try await client.nextMessage() == .pong)
        client.sendText(#"{"type":"connect","instance_id":"\#(instance.id)","extra":{"a":[1,2]}}"#)
        guard case .connected = try await client.nextMessage() else { Issue.record("no connected"); return }
        _ = instanceSocket
    }
}
