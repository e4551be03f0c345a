import Foundation
import MydiaCrypto
import MydiaServer
import MydiaTestSupport
@testable import MydiaTransport
import MydiaWire
import NIOCore
import NIOPosix
import NIOSSL
import Testing

/// The pinned direct path of PROTOCOL.md §6 against the server's real HTTPS listener.
@Suite(.serialized) struct DirectClientTests {
    private func client(_ f: TransportFixture, pin: String? = nil) throws -> DirectClient {
        let url = try #require(f.pairing.directURLs.first)
        return try DirectClient(baseURL: url, pin: CertificateFingerprint(hex: pin ?? f.pairing.certFingerprint))
    }

    @Test func probeSucceedsWithThePinnedCertificate() async throws {
        let f = try await TransportFixture.get()
        let direct = try client(f)
        let result = try await direct.probe(bearer: f.pairing.accessToken, expectedInstanceID: f.instanceID)
        #expect(result.rtt > .zero && result.rtt <= result.elapsed && result.elapsed < .seconds(5))
        print("direct probe: rtt \(result.rtt), total \(result.elapsed)")
        await #expect(throws: DirectClient.Error.wrongInstance) {
            _ = try await direct.probe(bearer: f.pairing.accessToken, expectedInstanceID: UUID().uuidString.lowercased())
        }
        await #expect(throws: DirectClient.Error.probeRejected(status: 401)) {
            _ = try await direct.probe(bearer: "not-a-token", expectedInstanceID: f.instanceID)
        }
    }

    @Test func aWrongPinIsADistinctError() async throws {
        let f = try await TransportFixture.get()
        let direct = try client(f, pin: String(repeating: "ab", count: 32))
        await #expect(throws: DirectClient.Error.pinMismatch(presented: f.host.identity.fingerprint.hex)) {
            _ = try await direct.probe(bearer: f.pairing.accessToken, expectedInstanceID: f.instanceID)
        }
        await #expect(throws: DirectClient.Error.pinMismatch(presented: f.host.identity.fingerprint.hex)) {
            _ = try await direct.request(method: "GET", path: "/api/v1/remote/probe", bearer: f.pairing.accessToken)
        }
    }

    @Test func noPinMeansNoDirectPath() throws {
        #expect(throws: DirectClient.Error.noPin) { _ = try DirectClient(baseURL: "https://127.0.0.1:1", pin: nil) }
        let pin = CertificateFingerprint(hex: String(repeating: "00", count: 32))
        #expect(throws: DirectClient.Error.invalidURL("http://127.0.0.1:1")) { _ = try DirectClient(baseURL: "http://127.0.0.1:1", pin: pin) }
    }

    @Test func aLargeFileArrivesByteIdenticalAndRangesAreForwarded() async throws {
        let f = try await TransportFixture.get()
        let session = try await f.session()
        let file = try await f.largeFile(using: session)
        await session.close()
        let direct = try client(f)
        let started = ContinuousClock.now
        let response = try await direct.request(method: "GET", path: "/api/v1/stream/file/\(file.id)", bearer: f.pairing.accessToken)
        #expect(response.status == 200 && response[header: "content-length"] == String(file.bytes.count))
        #expect(try await response.body.collect() == file.bytes)
        print("direct: \(file.bytes.count) bytes in \(ContinuousClock.now - started)")
        // The kept-alive connection serves the next request, with a Range.
        let ranged = try await direct.request(method: "GET", path: "/api/v1/stream/file/\(file.id)",
                                              headers: ["Range": "bytes=500000-500099"], bearer: f.pairing.accessToken)
        #expect(ranged.status == 206 && ranged[header: "content-range"] == "bytes 500000-500099/\(file.bytes.count)")
        #expect(try await ranged.body.collect() == Array(file.bytes[500_000..<500_100]))
        // GraphQL with a body.
        let query = try JSONSerialization.data(withJSONObject: ["query": "{ movies(first: 1) { totalCount } }"])
        let graph = try await direct.request(method: "POST", path: "/api/graphql", headers: ["content-type": "application/json"],
                                             body: Array(query), bearer: f.pairing.accessToken)
        #expect(graph.status == 200)
        #expect(String(decoding: try await graph.body.collect(), as: UTF8.self).contains("\"totalCount\":4"))
    }

    @Test func aStalledConsumerStopsTheSocketInsteadOfBuffering() async throws {
        let f = try await TransportFixture.get()
        let session = try await f.session()
        let file = try await f.largeFile(using: session)
        await session.close()
        let direct = try client(f)
        let response = try await direct.request(method: "GET", path: "/api/v1/stream/file/\(file.id)", bearer: f.pairing.accessToken)
        let pipe = response.body.consumer.pipe
        // Nothing is read for a while: at most the 128 KiB buffer plus one piece (up to 256 KiB) piles up, not the file.
        try await Task.sleep(for: .milliseconds(300))
        let buffered = pipe.bufferedBytes
        print("direct: \(buffered) bytes buffered for a stalled consumer")
        #expect(buffered > 0 && buffered <= 128 * 1024 + DirectConnection.maxPiece, "\(buffered) bytes buffered")
        #expect(try await response.body.collect() == file.bytes)
    }

    @Test func theBearerIsNeverSentWhenThePinDoesNotMatch() async throws {
        // A TLS server that records every decrypted byte it receives.
        let cert = try SelfSignedCertificate.generate(commonName: "pin test", hosts: ["127.0.0.1"])
        let recorder = ByteRecorder()
        let server = try await PinTestServer.start(certificate: cert, recorder: recorder)
        defer { server.close() }
        let url = "https://127.0.0.1:\(server.port)"

        let wrong = try DirectClient(baseURL: url, pin: CertificateFingerprint(hex: String(repeating: "cd", count: 32)))
        await #expect(throws: DirectClient.Error.pinMismatch(presented: CertificateFingerprint(der: cert.der).hex)) {
            _ = try await wrong.probe(bearer: "secret-token", expectedInstanceID: UUID().uuidString)
        }
        #expect(recorder.bytes.isEmpty)

        // Control: with the right pin the same server does receive the request and its bearer.
        let right = try DirectClient(baseURL: url, pin: CertificateFingerprint(der: cert.der))
        _ = try? await right.probe(bearer: "secret-token", expectedInstanceID: UUID().uuidString, budget: .seconds(2))
        try await withTimeout(.seconds(5)) {
            while !String(decoding: recorder.bytes, as: UTF8.self).contains("Bearer secret-token") { try await Task.sleep(for: .milliseconds(10)) }
        }
    }
}

/// Bytes a test server received, readable from the test.
final class ByteRecorder: Sendable {
    private let box = Box<[UInt8]>([])
    var bytes: [UInt8] { box.withLock { $0 } }
    func append(_ more: [UInt8]) { box.withLock { $0 += more } }
}

/// A bare TLS listener that records what it reads and never answers.
struct PinTestServer {
    let channel: any NIOCore.Channel
    let port: Int

    static func start(certificate: SelfSignedCertificate, recorder: ByteRecorder) async throws -> PinTestServer {
        let tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(certificate.certificatePEM.utf8)).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(certificate.privateKeyPEM.utf8), format: .pem)))
        let context = try NIOSSLContext(configuration: tls)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try child.pipeline.syncOperations.addHandler(Recorder(recorder: recorder))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return PinTestServer(channel: channel, port: channel.localAddress?.port ?? 0)
    }

    func close() { channel.close(promise: nil) }

    final class Recorder: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let recorder: ByteRecorder
        init(recorder: ByteRecorder) { self.recorder = recorder }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            recorder.append(Array(unwrapInboundIn(data).readableBytesView))
        }
    }
}
