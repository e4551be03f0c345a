import MydiaTestSupport
import Foundation
import MydiaRelay
import Testing

@Suite struct RelayServerTests {
    @Test func loopbackMeansLiteral127Or6LoopbackOnly() {
        for host in ["127.0.0.1", "127.1.2.3", "::1", "[::1]"] { #expect(RelayServer.isLoopback(host), "\(host)") }
        for host in ["0.0.0.0", "localhost", "10.0.0.1", "127.0.0", "127.0.0.256", "::", "example.org", "127.0.0.1.5"] {
            #expect(!RelayServer.isLoopback(host), "\(host)")
        }
    }

    @Test func plaintextBindOffLoopbackIsRefused() {
        #expect(throws: RelayServer.Error.plaintextOnNonLoopback(host: "0.0.0.0")) {
            try RelayServer(configuration: .init(host: "0.0.0.0", port: 0))
        }
    }

    @Test func unreadableTLSFilesAreAClearError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("relay-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cert = dir.appendingPathComponent("cert.pem").path
        try "not a certificate".write(toFile: cert, atomically: true, encoding: .utf8)
        do {
            _ = try RelayServer(configuration: .init(host: "0.0.0.0", port: 0, tls: .init(certificatePath: cert, privateKeyPath: cert)))
            Issue.record("expected a TLS error")
        } catch {
            guard case .tlsFiles = error else { Issue.record("wrong error \(error)"); return }
            #expect(error.description.contains("TLS"))
        }
    }

    @Test func tlsRelayListensOnAnyAddressWithValidPEMFiles() async throws {
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

        let server = try RelayServer(configuration: .init(host: "127.0.0.1", port: 0, tls: .init(certificatePath: cert, privateKeyPath: key)))
        let task = Task { try await server.run() }
        defer { task.cancel() }
        let origin = try await withTimeout(.seconds(10)) { try await server.origin() }
        #expect(origin.hasPrefix("https://127.0.0.1:"))
        // A plaintext HTTP request to the TLS port gets no HTTP answer.
        let plain = try? await http("GET", origin.replacingOccurrences(of: "https://", with: "http://") + "/pairing/v2/claim/" + String(repeating: "0", count: 64))
        #expect(plain == nil || plain?.status != 404)
    }
}
