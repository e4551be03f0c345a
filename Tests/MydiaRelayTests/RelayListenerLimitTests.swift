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
        #expect(!half.waitForEnd(seconds: 0.2), "nothing is closed well before the header timeout")
        let blankLines = try RawConnection(port: relay.port)
        blankLines.send("\r\n\r\n\r\n")  // empty lines before a request line end no head
        let slow = try RawConnection(port: relay.port)
        let started = ContinuousClock.now
        for byte in "GET /pairing/v2/claim/x HTTP/1.1\r\nHo".utf8 {
            _ = slow.send(bytes: [byte])
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(half.waitForEnd(seconds: 4) && silent.waitForEnd(seconds: 4))
        #expect(blankLines.waitForEnd(seconds: 4) && slow.waitForEnd(seconds: 4))
        #expect(ContinuousClock.now - started < .seconds(5))

        // A complete request in time is answered; the kept-alive connection is closed when idle.
        let keptAlive = try RawConnection(port: relay.port)
        keptAlive.send("GET /pairing/v2/claim/\(String(repeating: "0", count: 64)) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(keptAlive.readHead().hasPrefix("HTTP/1.1 404"))
        #expect(keptAlive.waitForEnd(seconds: 3), "a quiet keep-alive connection is closed at the idle timeout")
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
        #expect(extra.waitForEnd(seconds: 2), "the fourth from one address is closed")
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(!held[0].waitForEnd(seconds: 0.2) && !held[2].waitForEnd(seconds: 0.1), "the first three stay")
        #expect(relay.server.listenerLoad.total == 3)
    }

    @Test func anUpgradedWebSocketOutlivesTheHTTPTimeouts() async throws {
        let relay = try await RelayHarness.start(limits: Self.limits(header: .milliseconds(500), idle: .milliseconds(500)))
        defer { Task { await relay.stop() } }
        let (instanceSocket, instance) = try await relay.registeredInstance()
        let (client, session) = try await relay.connectedClient(to: instance, instanceSocket: instanceSocket)

        try await Task.sleep(for: .seconds(2))  // four header timeouts and four idle timeouts

        client.send(.ping)
        #expect(try await client.nextMessage() == .pong)
        let frame = (0..<64).map { UInt8($0) }
        client.sendBinary(frame)
        let forwarded = try await instanceSocket.nextBinary()
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
        #expect(!silent.waitForEnd(seconds: 0.2))
        // The header timeout (1 s) plus the relay's TLS shutdown timeout (1 s).
        #expect(silent.waitForEnd(seconds: 4) && stalled.waitForEnd(seconds: 4))
    }
}
