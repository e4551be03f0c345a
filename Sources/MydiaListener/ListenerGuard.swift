import HummingbirdCore
public import NIOCore
import NIOHTTPTypes
import Synchronization

/// What an HTTP listener (the server's direct HTTPS listener, the relay's HTTP/WebSocket listener)
/// bounds on every connection it accepts, so half-open and slow clients cannot hold it
/// (PROTOCOL.md §13.19): at most `maxConnections` at once and `maxPerAddress` from one address (more are closed as they
/// arrive), a complete request head within `headerTimeout` of the accept — which also bounds a TLS
/// handshake that never finishes, since no head arrives before it — and each later head within
/// `idleTimeout` of the previous response (a quiet keep-alive connection, or one that sends its
/// head a byte at a time).
///
/// A plain HTTP/1 listener adds ``handler()``; a listener that upgrades to WebSocket wraps its
/// child channel with ``guarding(_:)`` instead, so an upgraded socket leaves the HTTP timeouts.
public final class ListenerGuard: Sendable {
    /// The bounds.
    public struct Limits: Sendable {
        /// Connections open at once.
        public var maxConnections = 4096
        /// Connections open at once from one IP address.
        public var maxPerAddress = 64
        /// From accept (or the end of a response) to a complete request head.
        public var headerTimeout: Duration = .seconds(10)
        /// A keep-alive connection without a request for this long is closed.
        public var idleTimeout: Duration = .seconds(60)

        /// The defaults: 4,096 connections, 64 per address, head within 10 s, idle 60 s.
        public init() {}
    }

    private struct Counts {
        var total = 0
        var perAddress: [String: Int] = [:]
    }

    /// The bounds this guard applies.
    public let limits: Limits
    private let counts = Mutex(Counts())
    private let addressKey: @Sendable (SocketAddress?) -> String

    /// - Parameters:
    ///   - limits: the caps and timeouts.
    ///   - addressKey: what `maxPerAddress` counts by; the peer's IP address by default (the relay
    ///     passes its per-IP key, IPv6 by /64).
    public init(limits: Limits = Limits(), addressKey: @escaping @Sendable (SocketAddress?) -> String = { $0?.ipAddress ?? "unknown" }) {
        self.limits = limits
        self.addressKey = addressKey
    }

    /// Open connections, all and per address (tests).
    public var open: (total: Int, addresses: Int) { counts.withLock { ($0.total, $0.perAddress.count) } }

    /// The handler for one accepted connection (`HTTP1Channel.Configuration.additionalChannelHandlers`).
    public func handler() -> any RemovableChannelHandler { Handler(guard: self, admitting: true) }

    /// The handler for the HTTP/1 side of a connection ``GuardedChannel`` admitted: keep-alive
    /// idle timeouts only (the caps and the first head are the gate's).
    func keepAliveHandler() -> any RemovableChannelHandler { Handler(guard: self, admitting: false) }

    /// Admits a new connection from `channel`'s peer and releases it when the channel closes;
    /// `false` (nothing counted) when a cap is reached.
    func admit(_ channel: any Channel) -> Bool {
        let address = addressKey(channel.remoteAddress)
        guard admit(address) else { return false }
        channel.closeFuture.whenComplete { [self] _ in release(address) }
        return true
    }

    fileprivate func admit(_ address: String) -> Bool {
        counts.withLock { c in
            guard c.total < limits.maxConnections, c.perAddress[address, default: 0] < limits.maxPerAddress else { return false }
            c.total += 1
            c.perAddress[address, default: 0] += 1
            return true
        }
    }

    fileprivate func release(_ address: String) {
        counts.withLock { c in
            c.total -= 1
            let left = c.perAddress[address, default: 1] - 1
            c.perAddress[address] = left > 0 ? left : nil
        }
    }

    private final class Handler: ChannelDuplexHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPRequestPart
        typealias InboundOut = HTTPRequestPart
        typealias OutboundIn = HTTPResponsePart
        typealias OutboundOut = HTTPResponsePart

        private let guardian: ListenerGuard
        private let admitting: Bool
        private var deadline: Scheduled<Void>?

        init(guard: ListenerGuard, admitting: Bool) {
            guardian = `guard`
            self.admitting = admitting
        }

        func handlerAdded(context: ChannelHandlerContext) {
            // Without admission this handler joins after the first head was read (the gate timed
            // it); the head it is handed next disarms this.
            guard !admitting || guardian.admit(context.channel) else {
                context.close(promise: nil)
                return
            }
            arm(context, guardian.limits.headerTimeout)
        }

        func handlerRemoved(context: ChannelHandlerContext) {
            // An upgrade (WebSocket) removes the HTTP handlers: the connection is no longer HTTP.
            deadline?.cancel()
            deadline = nil
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if case .head = unwrapInboundIn(data) {
                deadline?.cancel()
                deadline = nil
            }
            context.fireChannelRead(data)
        }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            if case .end = unwrapOutboundIn(data) { arm(context, guardian.limits.idleTimeout) }
            context.write(data, promise: promise)
        }

        /// Closes the connection after `timeout` unless a request head arrives first.
        private func arm(_ context: ChannelHandlerContext, _ timeout: Duration) {
            deadline?.cancel()
            deadline = ListenerGuard.closing(context.channel, after: timeout)
        }
    }
}

extension ListenerGuard {
    /// Schedules `channel`'s close `timeout` from now on its event loop.
    static func closing(_ channel: any Channel, after timeout: Duration) -> Scheduled<Void> {
        let (seconds, attoseconds) = timeout.components
        return channel.eventLoop.scheduleTask(in: .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)) {
            channel.close(promise: nil)
        }
    }
}
