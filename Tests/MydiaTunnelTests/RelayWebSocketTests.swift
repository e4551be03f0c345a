import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
@testable import MydiaTunnel
import MydiaWire
import NIOCore
import Synchronization
import Testing

/// The peers' WebSocket client to the relay against a stock Hummingbird WebSocket server (which
/// unmasks with swift-nio's reference loop, so our masking is checked by someone else's decoder).
@Suite(.timeLimit(.minutes(1))) struct RelayWebSocketTests {
    /// A server at `/relay/tunnel/websocket` running `script` per socket, auto-pinging every 100 ms
    /// (a client that does not answer pings is closed after one period).
    static func server(
        _ script: @escaping @Sendable (WebSocketInboundStream, WebSocketOutboundWriter) async throws -> Void
    ) async throws -> (RelayOrigin, Task<Void, any Error>) {
        let wsRouter = Router(context: BasicWebSocketRequestContext.self)
        wsRouter.ws(.init(RelayOrigin.instanceWebSocketPath)) { inbound, outbound, _ in try await script(inbound, outbound) }
        var quiet = Logger(label: "ws-server")
        quiet.logLevel = .critical
        let listening = AsyncStream<Int>.makeStream()
        let ws = WebSocketServerConfiguration(maxFrameSize: 1 << 17, autoPing: .enabled(timePeriod: .milliseconds(100)))
        let app = Application(
            router: Router(), server: .http1WebSocketUpgrade(webSocketRouter: wsRouter, configuration: .init(http1: .init(), ws: ws)),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { listening.continuation.yield($0.localAddress?.port ?? 0) }, logger: quiet)
        let task = Task { try await app.run() }
        var ports = listening.stream.makeAsyncIterator()
        return (try RelayOrigin("ws://127.0.0.1:\(await ports.next() ?? 0)"), task)
    }

    /// Echoes every message back.
    static func echo(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter) async throws {
        for try await message in inbound.messages(maxSize: 1 << 17) {
            switch message {
            case .text(let t): try await outbound.write(.text(t))
            case .binary(let b): try await outbound.write(.binary(b))
            }
        }
    }

    static func connect<R: Sendable>(
        _ origin: RelayOrigin, _ body: @escaping @Sendable (AsyncThrowingStream<RelayWebSocket.Message, any Error>, RelayWebSocket.Outbound) async throws -> R
    ) async throws -> R {
        try await RelayWebSocket.connect(origin: origin, path: RelayOrigin.instanceWebSocketPath, tls: nil, maxMessage: 1 << 17, body: body)
    }

    @Test func messagesOfEverySizeRoundTripAndPingsAreAnswered() async throws {
        let (origin, server) = try await Self.server(Self.echo)
        defer { server.cancel() }
        let sizes = [0, 1, 125, 126, 65_535, 65_536, 100_000]
        let echoed = try await Self.connect(origin) { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            var results: [Bool] = []
            for size in sizes {
                let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 13) }
                try await outbound.write(binary: ByteBuffer(bytes: bytes))
                guard case .binary(let back)? = try await iterator.next() else { return results }
                results.append(Array(back.readableBytesView) == bytes)
            }
            // Several ping periods: unanswered, the server would have closed the socket by now.
            try await Task.sleep(for: .milliseconds(600))
            try await outbound.write(text: "still here ✓")
            guard case .text(let text)? = try await iterator.next() else { return results }
            results.append(text == "still here ✓")
            return results
        }
        #expect(echoed == Array(repeating: true, count: sizes.count + 1))
    }

    @Test func aNormalCloseEndsTheMessagesAndAnErrorCloseFailsThem() async throws {
        let (origin, server) = try await Self.server { inbound, outbound in
            try await outbound.write(.text("bye"))
            // The second socket's server fails: WSCore closes it with 1011.
            if case .text("fail")? = try await inbound.messages(maxSize: 1024).first(where: { _ in true }) {
                throw CancellationError()
            }
        }
        defer { server.cancel() }
        let received = try await Self.connect(origin) { inbound, outbound in
            var texts: [String] = []
            for try await message in inbound {
                if case .text(let t) = message { texts.append(t) }
                try await outbound.write(text: "done")
            }
            return texts
        }
        #expect(received == ["bye"])
        await #expect {
            try await Self.connect(origin) { inbound, outbound in
                try await outbound.write(text: "fail")
                for try await _ in inbound {}
            }
        } throws: { error in
            guard case RelayWebSocket.Error.closedByRelay(code: let code) = error else { return false }
            return code != 1000 && code != 1001
        }
    }

    @Test func aRefusedUpgradeIsAnError() async throws {
        let (origin, server) = try await Self.server(Self.echo)
        defer { server.cancel() }
        await #expect(throws: (any Error).self) {
            try await RelayWebSocket.connect(origin: origin, path: "/not-a-websocket", tls: nil, maxMessage: 1 << 17) { _, _ in }
        }
    }
}
