import Foundation
import MydiaLibrary
import MydiaServer
import MydiaTestSupport
import NIOCore
import NIOPosix
import NIOSSL
import Testing

/// The direct listener checks the bearer on the request head before it reads a body (issue 18):
/// without a valid access token only a small body (a login) is read, and one announced larger is
/// refused with 401 before any of it arrives; with a token the same head is read on.
@Suite(.serialized, .timeLimit(.minutes(1))) struct DirectListenerBodyAuthTests {
    /// A TLS connection that sends raw bytes and reads the answer's head (the server's certificate
    /// is self-signed: this test is about HTTP, not about the pin).
    struct RawTLS {
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>

        init(port: Int) async throws {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        var tls = TLSConfiguration.makeClientConfiguration()
                        tls.certificateVerification = .none
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: NIOSSLContext(configuration: tls), serverHostname: nil))
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        }

        /// Sends `head`, then reads until the answer's head is complete (or the connection ends).
        func exchange(_ head: String) async throws -> String {
            try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: head))
                var answer = ""
                for try await chunk in inbound {
                    answer += String(buffer: chunk)
                    if answer.contains("\r\n\r\n") { break }
                }
                return answer
            }
        }
    }

    static func head(port: Int, bearer: String?) -> String {
        "POST /api/graphql HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\n"
            + (bearer.map { "Authorization: Bearer \($0)\r\n" } ?? "") + "Content-Length: \(1 << 20)\r\n\r\n"
    }

    @Test func anUnauthenticatedHeadAnnouncingALargeBodyIsRefusedUnread() async throws {
        let stack = try await ServerStack.start()
        defer { Task { await stack.stop() } }
        let port = try #require(await stack.host.currentDirectURLs().first.flatMap(URL.init(string:))?.port)

        for bearer in [nil, "not-a-token"] {
            let started = ContinuousClock.now
            let answer = try await withTimeout(.seconds(5)) {
                try await RawTLS(port: port).exchange(Self.head(port: port, bearer: bearer))
            }
            #expect(answer.hasPrefix("HTTP/1.1 401"), "\(answer.prefix(40))")
            #expect(ContinuousClock.now - started < .seconds(3), "answered without waiting for the body")
        }

        // With a valid access token the body is waited for: no answer to the head alone.
        let (device, _) = try await stack.host.devices.createDevice(name: "T", platform: "linux", publicKey: Array(repeating: 9, count: 32))
        let token = try await stack.host.devices.issueToken(.access, deviceID: device.id).token
        let authorized = try await RawTLS(port: port)
        await #expect(throws: TimeoutError.self, "the body is waited for") {
            try await withTimeout(.seconds(1)) { try await authorized.exchange(Self.head(port: port, bearer: token)) }
        }
    }
}
