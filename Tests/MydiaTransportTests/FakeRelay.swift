import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import MydiaTestSupport
import MydiaWire
import NIOCore

/// A scripted stand-in for the relay's client endpoint, for behaviour the real relay never shows
/// (no pongs, no encryption, withheld frames). `script` runs once per client socket.
struct FakeRelay {
    let origin: RelayOrigin
    private let task: Task<Void, any Error>

    static func start(
        _ script: @escaping @Sendable (WebSocketInboundStream, WebSocketOutboundWriter) async throws -> Void
    ) async throws -> FakeRelay {
        let wsRouter = Router(context: BasicWebSocketRequestContext.self)
        wsRouter.ws("/relay/client/websocket") { inbound, outbound, _ in try await script(inbound, outbound) }
        var quiet = Logger(label: "fake-relay")
        quiet.logLevel = .critical
        let listening = AsyncStream<Int>.makeStream()
        let app = Application(
            router: Router(), server: .http1WebSocketUpgrade(webSocketRouter: wsRouter),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in listening.continuation.yield(channel.localAddress?.port ?? 0) }, logger: quiet)
        let task = Task { try await app.run() }
        var iterator = listening.stream.makeAsyncIterator()
        let bound = await iterator.next() ?? 0
        return FakeRelay(origin: try RelayOrigin("ws://127.0.0.1:\(bound)"), task: task)
    }

    func stop() { task.cancel() }

    /// Reads text messages until `connect`, returning its instance id.
    static func awaitConnect(_ inbound: WebSocketInboundStream) async throws -> (String, WebSocketInboundMessageStream.AsyncIterator) {
        var messages = inbound.messages(maxSize: 1 << 17).makeAsyncIterator()
        while let message = try await messages.next() {
            if case .text(let t) = message, case .connect(let id) = try RelayMessage.decode(t) { return (id, messages) }
        }
        throw TestSocket.Failure.unexpected("no connect")
    }
}
