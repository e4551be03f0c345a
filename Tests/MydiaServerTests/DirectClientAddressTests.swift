import Foundation
import Logging
import MydiaCrypto
import MydiaServer
import MydiaStreaming
import MydiaTransport
import Testing

/// The direct listener hands the peer's IP address to the instance API (the key URL login's rate
/// limit counts failures by, PROTOCOL.md §14.3).
@Suite(.timeLimit(.minutes(1))) struct DirectClientAddressTests {
    /// Answers every request with the client address it was given.
    struct EchoAddress: APIHandler {
        func handle(_ request: APIRequest) async -> APIResponse {
            APIResponse(status: 200, body: .bytes(Array((request.clientAddress ?? "none").utf8)))
        }
    }

    @Test func requestsCarryThePeerAddress() async throws {
        let certificate = try SelfSignedCertificate.generate(commonName: "test", hosts: ["127.0.0.1"])
        let listener = try DirectListener(host: "127.0.0.1", port: 0, certificatePEM: certificate.certificatePEM,
                                          privateKeyPEM: certificate.privateKeyPEM, api: EchoAddress(),
                                          logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let run = Task { try await listener.run() }
        defer { run.cancel() }
        let port = try await listener.boundPort()
        let client = try DirectClient(baseURL: "https://127.0.0.1:\(port)", pin: .init(der: certificate.der))
        let response = try await client.request(method: "POST", path: "/api/graphql", bearer: nil)
        #expect(response.status == 200)
        #expect(String(decoding: try await response.body.collect(), as: UTF8.self) == "127.0.0.1")
    }
}
