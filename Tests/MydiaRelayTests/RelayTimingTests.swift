import MydiaRelay
import MydiaTestSupport
import MydiaWire
import Testing

/// Deadlines, idle and silence timeouts, and the slow consumer: run one at a time, because the
/// slow-consumer test moves megabytes through a debug build and would skew the others' clocks.
@Suite(.serialized) struct RelayTimingTests {
    @Test func socketsThatNeverRegisterOrConnectAreClosedAtTheDeadline() async throws {
        var timeouts = RelayTimeouts()
        timeouts.firstMessage = .milliseconds(300)
        let relay = try await RelayHarness.start(timeouts: timeouts)
        defer { Task { await relay.stop() } }
        let client = TestSocket(relay.clientURL)
        let instance = TestSocket(relay.tunnelURL)
        #expect(await client.waitForClose(timeout: .seconds(5)))
        #expect(await instance.waitForClose(timeout: .seconds(5)))
        // A socket that did connect in time stays open past the deadline.
        let (instanceSocket, id) = try await relay.registeredInstance()
        let (connected, _) = try await relay.connectedClient(to: id, instanceSocket: instanceSocket)
        try await Task.sleep(for: .milliseconds(600))
        connected.send(.ping)
        #expect(try await connected.nextMessage() == .pong)
    }

    @Test func idleSessionsCloseButClientPingsKeepThemAlive() async throws {
        var timeouts = RelayTimeouts()
        timeouts.sessionIdle = .seconds(2)
        let relay = try await RelayHarness.start(timeouts: timeouts)
        defer { Task { await relay.stop() } }
        let (instanceSocket, instance) = try await relay.registeredInstance()
        let (pinger, pingerSession) = try await relay.connectedClient(to: instance, instanceSocket: instanceSocket)
        // Heartbeat only, no data: the session must live on (PROTOCOL.md §11.2).
        let pings = Task {
            while !Task.isCancelled {
                pinger.send(.ping)
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        defer { pings.cancel() }
        let (idle, idleSession) = try await relay.connectedClient(to: instance, instanceSocket: instanceSocket)
        #expect(try await idle.nextMessage(timeout: .seconds(10)) == .close(sessionID: nil, reason: .idleTimeout))
        #expect(try await instanceSocket.nextMessage(timeout: .seconds(10)) == .close(sessionID: idleSession, reason: .idleTimeout))
        // The pinging session outlived the idle timeout.
        instanceSocket.sendBinary(RelaySessionFrame.encode(sessionID: pingerSession, payload: [3]))
        var sawData = false
        while let event = await pinger.next(timeout: .seconds(5)) {
            if case .binary(let b) = event {
                sawData = b == [3]
                break
            }
            if case .closed = event { break }
        }
        #expect(sawData)
    }

    @Test func slowConsumerIsClosedWithoutStallingTheInstance() async throws {
        var limits = RelayLimits()
        limits.maxBufferedPerSession = 256 * 1024
        let relay = try await RelayHarness.start(limits: limits)
        defer { Task { await relay.stop() } }
        let (instanceSocket, instance) = try await relay.registeredInstance()
        let slow = TestSocket(relay.clientURL, reading: false)
        slow.send(.connect(instanceID: instance.id))
        guard case .connection(let slowSession) = try await instanceSocket.nextMessage() else { Issue.record("no connection"); return }
        let (fast, fastSession) = try await relay.connectedClient(to: instance, instanceSocket: instanceSocket)

        let chunk = RelaySessionFrame.encode(sessionID: slowSession, payload: [UInt8](repeating: 0xab, count: 65_000))
        // ~16 MB: more than the kernel's socket buffers plus the relay's session cap can hold.
        for _ in 0..<256 { instanceSocket.sendBinary(chunk) }
        let started = ContinuousClock.now
        var closedReason: RelayCloseReason?
        while let event = await instanceSocket.next(timeout: .seconds(25)) {
            if case .text(let t) = event, case .close(slowSession, let reason) = try RelayMessage.decode(t) {
                closedReason = reason
                break
            }
        }
        #expect(closedReason == .slowConsumer)
        print("slow consumer closed after \(ContinuousClock.now - started)")
        // The instance socket still flows for the other session.
        instanceSocket.sendBinary(RelaySessionFrame.encode(sessionID: fastSession, payload: [42]))
        #expect(try await fast.nextBinary(timeout: .seconds(20)) == [42])
    }

    @Test func instanceHeartbeatIsAnsweredAndSilentInstancesAreDropped() async throws {
        var timeouts = RelayTimeouts()
        timeouts.instanceSilence = .milliseconds(1500)
        let relay = try await RelayHarness.start(timeouts: timeouts)
        defer { Task { await relay.stop() } }
        let (socket, instance) = try await relay.registeredInstance()
        // Pings keep it alive past the silence limit.
        for _ in 0..<10 {
            socket.send(.ping)
            #expect(try await socket.nextMessage() == .pong)
            try await Task.sleep(for: .milliseconds(250))
        }
        // Then silence: dropped, and it becomes "offline" for clients.
        #expect(await socket.waitForClose(timeout: .seconds(10)))
        let client = TestSocket(relay.clientURL)
        client.send(.connect(instanceID: instance.id))
        guard case .error(let code, _) = try await client.nextMessage() else { Issue.record("expected error"); return }
        #expect(code == .instanceOffline)
    }
}
