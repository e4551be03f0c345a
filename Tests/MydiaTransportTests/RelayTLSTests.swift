import Foundation
import Logging
import MydiaRelay
import MydiaTestSupport
import MydiaTransport
import MydiaTunnel
import MydiaWire
import Testing

/// `wss://` to the relay (PROTOCOL.md §12.5): normal CA verification, plus the `--relay-ca` trust
/// anchor, to an IP-literal host.
@Suite struct RelayTLSTests {
    @Test func wssToAnIPLiteralWorksWithTheExtraTrustAnchorAndFailsWithoutIt() async throws {
        // A self-signed CA certificate for 127.0.0.1, as a test lab's `--relay-ca` would be.
        let dir = NSTemporaryDirectory() + "mydia-transport-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                             "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem", "-days", "1", "-subj", "/CN=relay test",
                             "-addext", "subjectAltName=IP:127.0.0.1"]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0)
        let caPEM = try String(contentsOfFile: dir + "/cert.pem", encoding: .utf8)
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        let relay = try RelayServer(configuration: .init(
            host: "127.0.0.1", port: 0, tls: .init(certificatePath: dir + "/cert.pem", privateKeyPath: dir + "/key.pem"), logger: quiet))
        let task = Task { try await relay.run() }
        defer { task.cancel() }
        let origin = try RelayOrigin(try await withTimeout(.seconds(10)) { try await relay.origin() })
        #expect(origin.isSecure)
        let key = [UInt8](repeating: 7, count: 32)
        let unknown = UUID().uuidString.lowercased()

        // With the anchor the TLS + WebSocket handshakes succeed: the relay itself answers.
        await #expect(throws: RelayConnection.Error.instanceNotFound) {
            _ = try await RelayConnection.connect(origin: origin, instanceID: unknown, pinnedInstanceKey: key,
                                                  configuration: .init(extraTrustAnchorPEM: caPEM))
        }
        // Without it the certificate is not trusted.
        let error = await #expect(throws: RelayConnection.Error.self) {
            _ = try await RelayConnection.connect(origin: origin, instanceID: unknown, pinnedInstanceKey: key)
        }
        guard case .unreachable? = error else { Issue.record("expected a TLS failure, got \(String(describing: error))"); return }
        // A trust anchor that is not PEM is a configuration error.
        await #expect(throws: RelayConnection.Error.self) {
            _ = try await RelayConnection.connect(origin: origin, instanceID: unknown, pinnedInstanceKey: key,
                                                  configuration: .init(extraTrustAnchorPEM: "not a certificate"))
        }
    }
}
