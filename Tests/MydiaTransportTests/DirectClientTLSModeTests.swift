import Foundation
import MydiaCrypto
import MydiaTestSupport
import MydiaTransport
import Testing

/// The direct client's three modes (PROTOCOL.md §6, §14.2.5) against real NIOSSL listeners with
/// certificates from a test CA: verified (system roots + `--ca`, host name checked), pinned, and
/// plain `http://`.
@Suite(.serialized) struct DirectClientTLSModeTests {
    /// One CA, a leaf for 127.0.0.1 and localhost, a leaf for another name, a self-signed leaf.
    struct Lab {
        let certificates: TestCertificates
        let good: TestCertificates.Identity
        let otherName: TestCertificates.Identity
        let selfSigned: TestCertificates.Identity

        init() throws {
            certificates = try TestCertificates()
            good = try certificates.leaf("good", subjectAltNames: ["IP:127.0.0.1", "DNS:localhost"])
            otherName = try certificates.leaf("other", subjectAltNames: ["DNS:elsewhere.test"])
            selfSigned = try certificates.selfSigned("self", subjectAltNames: ["IP:127.0.0.1"])
        }
    }

    private static func answer(_ request: TestHTTPRequest) async -> TestHTTPResponse {
        .json(200, #"{"path":"\#(request.uri)"}"#)
    }

    @Test func aVerifiedClientAcceptsACertificateFromTheGivenCAAndRefusesItWithout() async throws {
        let lab = try Lab()
        defer { lab.certificates.remove() }
        let server = try await TestHTTPServer.start(identity: lab.good, handler: Self.answer)
        defer { server.close() }

        let trusted = try DirectClient(baseURL: "https://127.0.0.1:\(server.port)", tls: .verified(extraCAPEM: lab.certificates.caPEM))
        let response = try await trusted.request(method: "GET", path: "/api/v1/x", bearer: "token-1")
        #expect(response.status == 200)
        #expect(String(decoding: try await response.body.collect(), as: UTF8.self) == #"{"path":"/api/v1/x"}"#)
        #expect(server.requests.last?.headers["authorization"] == "Bearer token-1")
        // By name too: SNI and host-name check against DNS:localhost.
        let byName = try DirectClient(baseURL: "https://localhost:\(server.port)", tls: .verified(extraCAPEM: lab.certificates.caPEM))
        #expect(try await byName.probe(method: "GET", path: "/", bearer: nil).status == 200)

        // Without the CA: refused, and the sentence names --ca and the fingerprint to pin.
        let untrusting = try DirectClient(baseURL: "https://127.0.0.1:\(server.port)", tls: .verified(extraCAPEM: nil))
        let before = server.requests.count
        let error = await #expect(throws: DirectClient.Error.self) {
            _ = try await untrusting.request(method: "GET", path: "/", bearer: "secret")
        }
        #expect(error == .untrustedCertificate(presented: lab.good.fingerprint))
        let sentence = error?.description ?? ""
        #expect(sentence.contains("--ca FILE") && sentence.contains("--pin-sha256 \(lab.good.fingerprint)"), "\(sentence)")
        #expect(server.requests.count == before, "nothing may be sent over an untrusted connection")
    }

    @Test func aSelfSignedCertificateIsRefusedUntilPinned() async throws {
        let lab = try Lab()
        defer { lab.certificates.remove() }
        let server = try await TestHTTPServer.start(identity: lab.selfSigned, handler: Self.answer)
        defer { server.close() }
        let url = "https://127.0.0.1:\(server.port)"

        await #expect(throws: DirectClient.Error.untrustedCertificate(presented: lab.selfSigned.fingerprint)) {
            _ = try await DirectClient(baseURL: url, tls: .verified(extraCAPEM: lab.certificates.caPEM)).probe(method: "GET", path: "/", bearer: nil)
        }
        let pin = try #require(CertificateFingerprint(hex: lab.selfSigned.fingerprint))
        let pinned = try DirectClient(baseURL: url, tls: .pinned(pin))
        #expect(try await pinned.probe(method: "POST", path: "/api/graphql", body: Array("{}".utf8), bearer: "t").status == 200)
        let other = try #require(CertificateFingerprint(hex: String(repeating: "ab", count: 32)))
        await #expect(throws: DirectClient.Error.pinMismatch(presented: lab.selfSigned.fingerprint)) {
            _ = try await DirectClient(baseURL: url, tls: .pinned(other)).request(method: "GET", path: "/", bearer: "t")
        }
    }

    @Test func aCertificateForAnotherNameIsRefusedEvenFromTheTrustedCA() async throws {
        let lab = try Lab()
        defer { lab.certificates.remove() }
        let server = try await TestHTTPServer.start(identity: lab.otherName, handler: Self.answer)
        defer { server.close() }
        let client = try DirectClient(baseURL: "https://127.0.0.1:\(server.port)", tls: .verified(extraCAPEM: lab.certificates.caPEM))
        let error = await #expect(throws: DirectClient.Error.self) {
            _ = try await client.request(method: "GET", path: "/", bearer: "secret")
        }
        #expect(error == .hostnameMismatch(host: "127.0.0.1", presented: lab.otherName.fingerprint))
        #expect(error?.description.contains("--pin-sha256 \(lab.otherName.fingerprint)") == true)
        #expect(server.requests.isEmpty)
        // Pinning that very certificate is the user's way out (the pin skips names).
        let pin = try #require(CertificateFingerprint(hex: lab.otherName.fingerprint))
        #expect(try await DirectClient(baseURL: "https://127.0.0.1:\(server.port)", tls: .pinned(pin)).probe(method: "GET", path: "/", bearer: nil).status == 200)
    }

    @Test func plainHTTPWorksAndKeepsTheBasePath() async throws {
        let server = try await TestHTTPServer.start(handler: Self.answer)
        defer { server.close() }
        let client = try DirectClient(baseURL: "http://127.0.0.1:\(server.port)/mydia/", tls: .plainHTTP)
        let response = try await client.request(method: "POST", path: "/api/graphql", body: Array("{}".utf8), bearer: "tok")
        #expect(response.status == 200)
        #expect(String(decoding: try await response.body.collect(), as: UTF8.self) == #"{"path":"/mydia/api/graphql"}"#)
        let seen = try #require(server.requests.last)
        #expect(seen.headers["authorization"] == "Bearer tok" && seen.headers["host"] == "127.0.0.1:\(server.port)" && seen.text == "{}")
        let probe = try await client.probe(method: "GET", path: "/api/x", bearer: nil)
        #expect(probe.status == 200 && probe.rtt <= probe.elapsed)
    }

    @Test func aSchemeThatDoesNotMatchTheModeIsRefused() throws {
        let pin = try #require(CertificateFingerprint(hex: String(repeating: "00", count: 32)))
        // No downgrade: a pinned or verified client cannot be pointed at http://.
        #expect(throws: DirectClient.Error.invalidURL("http://127.0.0.1:1")) { _ = try DirectClient(baseURL: "http://127.0.0.1:1", tls: .pinned(pin)) }
        #expect(throws: DirectClient.Error.invalidURL("http://127.0.0.1:1")) {
            _ = try DirectClient(baseURL: "http://127.0.0.1:1", tls: .verified(extraCAPEM: nil))
        }
        #expect(throws: DirectClient.Error.invalidURL("https://127.0.0.1:1")) { _ = try DirectClient(baseURL: "https://127.0.0.1:1", tls: .plainHTTP) }
        #expect(throws: DirectClient.Error.invalidURL("https://u:p@127.0.0.1:1")) {
            _ = try DirectClient(baseURL: "https://u:p@127.0.0.1:1", tls: .verified(extraCAPEM: nil))
        }
        #expect(throws: DirectClient.Error.invalidTrustAnchor("the CA file is not a PEM certificate")) {
            _ = try DirectClient(baseURL: "https://127.0.0.1:1", tls: .verified(extraCAPEM: "not a certificate"))
        }
    }
}
