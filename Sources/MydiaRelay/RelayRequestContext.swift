import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The request context of every relay route: Hummingbird's core storage, the WebSocket upgrade
/// slot, and the peer's address (the key of the per-IP limits).
struct RelayRequestContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<RelayRequestContext>
    /// The TCP peer of this request.
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        remoteAddress = source.channel.remoteAddress
    }

    /// The per-IP limit key of the peer (IPv6 by /64).
    var clientKey: String { ClientAddress.key(for: remoteAddress) }
}
