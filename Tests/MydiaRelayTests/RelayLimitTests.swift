import MydiaRelay
import MydiaTestSupport
import MydiaWire
import Testing

@Suite struct RelayLimitTests {
    @Test func defaultsFollowTheSpec() {
        let limits = RelayLimits()
        #expect(limits.maxClientBinary == 65_563 && limits.maxInstanceBinary == 65_599 && limits.maxText == 4096)
        #expect(limits.maxBufferedPerSession == 1_048_576 && limits.connectsPerMinute == 60)
        let t = RelayTimeouts()
        #expect(t.firstMessage == .seconds(10) && t.instanceSilence == .seconds(60) && t.sessionIdle == .seconds(300))
        #expect(t.claimLifetime == .seconds(300) && t.bindingRetention == .seconds(86_400))
    }

    @Test func oversizeClientBinaryClosesTheClientSocket() async throws {
        let relay = try await RelayHarness.start()
        defer { Task { await relay.stop() } }
        let (instanceSocket, instance) = try await relay.registeredInstance()
        let (client, _) = try await relay.connectedClient(to: instance, instanceSocket: instanceSocket)
        client.sendBinary([UInt8](repeating: 1, count: 65_564))
        #expect(await client.waitForClose())
        // The instance is told the client went away, and saw none of the oversize frame.
        guard case .close(_, let reason) = try await instanceSocket.nextMessage() else { Issue.record("expected close"); return }
        #expect(reason == .clientDisconnected)
    }

    @Test func oversizeInstanceBinaryClosesTheInstanceSocket() async throws {
        let relay = try await RelayHarness.start()
        defer { Task { await relay.stop() } }
        let (instanceSocket, instance) = try await relay.registeredInstance()
        let (client, session) = try await relay.connectedClient(to: instance, instanceSocket: instanceSocket)
        instanceSocket.sendBinary(RelaySessionFrame.encode(sessionID: session, payload: [UInt8](repeating: 2, count: 65_563)))
        #expect(try await client.nextBinary().count == 65_563)
        instanceSocket.sendBinary(RelaySessionFrame.encode(sessionID: session, payload: [UInt8](repeating: 2, count: 65_564)))
        #expect(await instanceSocket.waitForClose())
        #expect(try await client.nextMessage() == .close(sessionID: nil, reason: .instanceDisconnected))
    }

    @Test func oversizeTextClosesTheSocket() async throws {
        let relay = try await RelayHarness.start()
        defer { Task { await relay.stop() } }
        let client = TestSocket(relay.clientURL)
        client.send(.ping)
        #expect(try await client.nextMessage() == .pong)
        let padding = String(repeating: "x", count: 4100)
        client.sendText(#"{"type":"ping","pad":"\#(padding)"}"#)
        #expect(await client.waitForClose())
    }

    @Test func garbageIsAnsweredWithBadRequestWithoutClosing() async throws {
        let relay = try await RelayHarness.start()
        defer { Task { await relay.stop() } }
        let (instanceSocket, instance) = try await relay.registeredInstance()
        let client = TestSocket(relay.clientURL)
        for garbage in ["not json", "[1,2]", #"{"no_type":1}"#, #"{"type":"connect"}"#, #"{"type":"connect","instance_id":"NOT-A-UUID"}"#] {
            client.sendText(garbage)
            guard case .error(let code, _) = try await client.nextMessage() else { Issue.record("expected error for \(garbage)"); return }
            #expect(code == .badRequest)
        }
        client.sendBinary([0xde, 0xad])
        guard case .error(let code, _) = try await client.nextMessage() else { Issue.record("expected error"); return }
        #expect(code == .badRequest)
        // Still usable.
        client.send(.connect(instanceID: instance.id))
        guard case .connected = try await client.nextMessage() else { Issue.record("no connected"); return }

        // Instance side: garbage before and after register.
        let raw = TestSocket(relay.tunnelURL)
        guard case .challenge = try await raw.nextMessage() else { Issue.record("no challenge"); return }
        raw.sendText("}{")
        guard case .error(let c1, _) = try await raw.nextMessage() else { Issue.record("expected error"); return }
        #expect(c1 == .badRequest)
        raw.sendBinary([1, 2, 3])
        guard case .error(let c2, _) = try await raw.nextMessage() else { Issue.record("expected error"); return }
        #expect(c2 == .badRequest)
        _ = instanceSocket
    }

    @Test func connectRateAndPerInstanceSessionLimitsAnswerRateLimited() async throws {
        var limits = RelayLimits()
        limits.connectsPerMinute = 4
        limits.sessionsPerInstanceAndIP = 2
        let relay = try await RelayHarness.start(limits: limits)
        defer { Task { await relay.stop() } }
        let (instanceSocket, instance) = try await relay.registeredInstance()  // 1 of 4
        let (a, _) = try await relay.connectedClient(to: instance, instanceSocket: instanceSocket)  // 2
        let (b, _) = try await relay.connectedClient(to: instance, instanceSocket: instanceSocket)  // 3
        let third = TestSocket(relay.clientURL)
        third.send(.connect(instanceID: instance.id))  // 4: per (instance, IP) limit
        guard case .error(let perIP, _) = try await third.nextMessage() else { Issue.record("expected error"); return }
        #expect(perIP == .rateLimited)
        third.send(.connect(instanceID: instance.id))  // 5: connect rate
        guard case .error(let rate, let message) = try await third.nextMessage() else { Issue.record("expected error"); return }
        #expect(rate == .rateLimited && message.contains("Too many connects"))
        _ = (a, b)
    }
}
