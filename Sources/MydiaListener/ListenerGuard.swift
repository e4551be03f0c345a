import HummingbirdCore
public import NIOCore
import NIOHTTPTypes
import Synchronization

/// What the server's direct HTTPS listener bounds on every connection it accepts, so half-open
/// and slow clients cannot hold it (PROTOCOL.md §13.19; the relay's listener does not use it yet):
/// at most `maxConnections` at once and `maxPerAddress` from one address (more are closed as they
/// arrive), a complete request head within `headerTimeout` of the accept — which also bounds a TLS
/// handshake that never finishes, since no head arrives before it — and each later head within
/// `idleTimeout` of the previous response (a quiet keep-alive connection, or one that sends its
/// head a byte at a time).
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

    public let limits: Limits
    private let counts = Mutex(Counts())

    public init(limits: Limits = Limits()) { self.limits = limits }

    /// Open connections, all and per address (tests).
    public var open: (total: Int, addresses: Int) { counts.withLock { ($0.total, $0.perAddress.count) } }

    /// The handler for one accepted connection (`HTTP1Channel.Configuration.additionalChannelHandlers`).
    public func handler() -> any RemovableChannelHandler { Handler(guard: self) }

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
        private var deadline: Scheduled<Void>?

        init(guard: ListenerGuard) { guardian = `guard` }

        func handlerAdded(context: ChannelHandlerContext) {
            let address = context.channel.remoteAddress?.ipAddress ?? "unknown"
            guard guardian.admit(address) else {
                context.close(promise: nil)
                return
            }
            let guardian = self.guardian
            context.channel.closeFuture.whenComplete { _ in guardian.release(address) }
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
            let (seconds, attoseconds) = timeout.components
            let channel = context.channel
            deadline = context.eventLoop.scheduleTask(in: .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)) {
                channel.close(promise: nil)
            }
        }
    }
}
