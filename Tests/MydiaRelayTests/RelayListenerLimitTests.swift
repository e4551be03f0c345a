import Foundation
import MydiaListener
import MydiaRelay
import MydiaTestSupport
import MydiaWire
import Testing

/// The relay's HTTP listener bounds the connections it accepts (PROTOCOL.md §13.19): a connection
/// that never completes its first request head — silent, half a request, a stalled TLS handshake —
/// is closed at the header timeout, a quiet keep-alive connection at the idle timeout, connections
/// past the per-address cap as they arrive; an upgraded WebSocket is not subject to either timeout.
@Suite(.serialized, .timeLimit(.minutes(1))) struct RelayListenerLimitTests {
    static func limits(header: Duration = .seconds(1), idle: Duration = .seconds(1), perAddress: Int = 64) -> RelayLimits {
        var limits = RelayLimits()
        limits.listener.headerTimeout = header
        limits.listener.idleTimeout = idle
        limits.listener.maxPerAddress = perAddress
        return limits
    }

    @Test func halfRequestsAndSlowHeadsAreClosedAtTheHeaderTimeout() async throws {
        let relay = try await RelayHarness.start(limits: Self.limits(header: .seconds(2)))
        defer { Task { await relay.stop() } }

        let silent = try RawConnection(port: relay.port)
        let half = try RawConnection(port: relay.port)
        half.send("GET /relay/client/websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n")
        let endedEarly = await ended(half, 0.2)
        #expect(!endedEarly, "nothing is closed well before the header timeout")
        let blankLines = try RawConnection(port: relay.port)
        blankLines.send("\r\n\r\n\r\n")  // empty lines before a request line end no head
        let slow = try RawConnection(port: relay.port)
        let started = ContinuousClock.now
        for byte in "GET /pairing/v2/claim/x HTTP/1.1\r\nHo".utf8 {
            _ = slow.send(bytes: [byte])
            try await Task.sleep(for: .milliseconds(10))
        }
        let halfEnded = await ended(half, 4), silentEnded = await ended(silent, 4)
        let blankEnded = await ended(blankLines, 4), slowEnded = await ended(slow, 4)
        #expect(halfEnded && silentEnded && blankEnded && slowEnded)
        #expect(ContinuousClock.now - started < .seconds(8), "each within its own wait, on a loaded machine")

        // A complete request in time is answered; the kept-alive connection is closed when idle.
        let keptAlive = try RawConnection(port: relay.port)
        keptAlive.send("GET /pairing/v2/claim/\(String(repeating: "0", count: 64)) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let answer = await offPool {
            // Each read gives up after 2 s; the relay answers from a cooperative pool other suites share.
            var head = ""
            for _ in 0..<5 where !head.hasSuffix("\r\n\r\n") { head += keptAlive.readHead() }
            return head
        }
        #expect(answer.hasPrefix("HTTP/1.1 404"))
        #expect(await ended(keptAlive, 3), "a quiet keep-alive connection is closed at the idle timeout")
    }

    @Test func connectionsPastThePerAddressCapAreClosedAtOnce() async throws {
        let relay = try await RelayHarness.start(limits: Self.limits(header: .seconds(5), perAddress: 3))
        defer { Task { await relay.stop() } }
        let held = try (0..<3).map { _ in try RawConnection(port: relay.port) }
        // Accepted connections are admitted on their own event loops, in any order: the fourth is
        // opened once the three are counted.
        for _ in 0..<100 where relay.server.listenerLoad.total < 3 { try await Task.sleep(for: .milliseconds(20)) }
        let extra = try RawConnection(port: relay.port)
        let started = ContinuousClock.now
        #expect(await ended(extra, 2), "the fourth from one address is closed")
        #expect(ContinuousClock.now - started < .seconds(2))
        let firstEnded = await ended(held[0], 0.2), thirdEnded = await ended(held[2], 0.1)
        #expect(!firstEnded && !thirdEnded, "the first three stay")
        #expect(relay.server.listenerLoad.total == 3)
    }

    @Test func anUpgradedWebSocketOutlivesTheHTTPTimeouts() async throws {
        // The header timeout leaves a loaded machine time to send the upgrade request after connecting.
        let relay = try await RelayHarness.start(limits: Self.limits(header: .milliseconds(1500), idle: .milliseconds(500)))
        defer { Task { await relay.stop() } }
        let (instanceSocket, instance) = try await relay.registeredInstance()
        let (client, session) = try await relay.connectedClient(to: instance, instanceSocket: instanceSocket)

        try await Task.sleep(for: .seconds(3.5))  // past two header timeouts and several idle timeouts

        // Generous waits: other suites' blocking sockets share the cooperative pool with the relay.
        client.send(.ping)
        #expect(try await client.nextMessage(timeout: .seconds(20)) == .pong)
        let frame = (0..<64).map { UInt8($0) }
        client.sendBinary(frame)
        let forwarded = try await instanceSocket.nextBinary(timeout: .seconds(20))
        #expect(Array(forwarded.dropFirst(RelaySessionFrame.sessionIDBytes)) == frame)
        #expect(session.count > 0)
    }

    @Test func aStalledTLSHandshakeIsClosedAtTheHeaderTimeout() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("relay-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cert = dir.appendingPathComponent("cert.pem").path, key = dir.appendingPathComponent("key.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                             "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=relay.test"]
        openssl.standardError = FileHandle.nullDevice
        openssl.standardOutput = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0)

        let server = try RelayServer(configuration: .init(
            host: "127.0.0.1", port: 0, tls: .init(certificatePath: cert, privateKeyPath: key), limits: Self.limits()))
        let task = Task { try await server.run() }
        defer { task.cancel() }
        let port = try await withTimeout(.seconds(10)) { try await server.port() }
        let silent = try RawConnection(port: port)
        let stalled = try RawConnection(port: port)
        stalled.send("\u{16}\u{03}\u{01}")  // the first bytes of a ClientHello, and no more
        let endedEarly = await ended(silent, 0.2)
        #expect(!endedEarly)
        // The header timeout (1 s) plus the relay's TLS shutdown timeout (1 s).
        let silentEnded = await ended(silent, 4), stalledEnded = await ended(stalled, 4)
        #expect(silentEnded && stalledEnded)
    }
}

/// Runs a blocking socket call on a thread of its own: blocking the few threads of Swift's
/// cooperative pool would starve the in-process relay (and every other suite running meanwhile).
func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: body()) }.start()
    }
}

/// Whether `connection` ends within `seconds`, waited for off the cooperative pool.
func ended(_ connection: RawConnection, _ seconds: Double) async -> Bool {
    await offPool { connection.waitForEnd(seconds: seconds) }
}
