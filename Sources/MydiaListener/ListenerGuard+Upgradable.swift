public import HummingbirdCore
public import Logging
public import NIOCore

extension ListenerGuard {
    /// Wraps the child channel of a listener that upgrades HTTP/1 to WebSocket (Hummingbird's
    /// `HTTP1WebSocketUpgradeChannel`), which reads the first request head before any handler of
    /// its own is added. A gate in front of its HTTP decoder — after TLS, when `base` is wrapped
    /// in `TLSChannel` — applies the caps at accept and closes the connection unless the first
    /// head is complete within `headerTimeout` (which includes the TLS handshake). Requests after
    /// the first on a keep-alive connection are timed by ``keepAliveHandler()``, which `base` must
    /// list in its `additionalChannelHandlers`. An upgraded WebSocket is no longer HTTP and is not
    /// timed here: the protocol above it has its own deadlines (PROTOCOL.md §12.4).
    public func guarding<Base: ServerChildChannel>(_ base: Base) -> GuardedChannel<Base> {
        GuardedChannel(base: base, guard: self)
    }

    /// The handlers for `http1.additionalChannelHandlers` of a channel wrapped with
    /// ``guarding(_:)``: the keep-alive idle timeout of HTTP requests after the first.
    public func keepAliveHandlers() -> [any RemovableChannelHandler] { [keepAliveHandler()] }
}

/// A child channel behind a ``ListenerGuard`` gate (see ``ListenerGuard/guarding(_:)``).
public struct GuardedChannel<Base: ServerChildChannel>: ServerChildChannel {
    /// The wrapped channel's value.
    public typealias Value = Base.Value

    let base: Base
    let guardian: ListenerGuard

    init(base: Base, guard: ListenerGuard) {
        self.base = base
        guardian = `guard`
    }

    /// Adds the gate, then the wrapped channel's handlers.
    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(HeadGate(guard: guardian))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    /// Runs the wrapped channel.
    public func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension GuardedChannel: HTTPChannelHandler where Base: HTTPChannelHandler {
    /// The wrapped channel's responder.
    public var responder: HTTPChannelHandler.Responder { base.responder }
}

/// Counts the connection against the caps and closes it unless the bytes of a complete first
/// request head (request line and fields up to the empty line) arrive within the header timeout.
/// Leading empty lines are skipped and a bare LF ends a line, as NIO's HTTP parser accepts them.
/// Once the head is complete the gate only passes bytes on.
final class HeadGate: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private enum State {
        /// Nothing but CR/LF so far.
        case beforeRequestLine
        /// Inside the head; `lineEnds` is 1 after an LF, 2 after LF CR, 0 otherwise.
        case inHead(lineEnds: Int)
        /// The first head is complete (or the connection was refused).
        case passed
    }

    private let guardian: ListenerGuard
    private var state = State.beforeRequestLine
    private var deadline: Scheduled<Void>?

    init(guard: ListenerGuard) { guardian = `guard` }

    func handlerAdded(context: ChannelHandlerContext) {
        guard guardian.admit(context.channel) else {
            state = .passed
            context.close(promise: nil)
            return
        }
        deadline = ListenerGuard.closing(context.channel, after: guardian.limits.headerTimeout)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .passed = state {
            context.fireChannelRead(data)
            return
        }
        let buffer = unwrapInboundIn(data)
        if scan(buffer.readableBytesView) {
            state = .passed
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    /// Advances the state over `bytes`; `true` once the head's empty line is seen.
    private func scan(_ bytes: ByteBufferView) -> Bool {
        let cr: UInt8 = 13
        let lf: UInt8 = 10
        for byte in bytes {
            switch state {
            case .beforeRequestLine:
                if byte != cr && byte != lf { state = .inHead(lineEnds: 0) }
            case .inHead(let lineEnds):
                switch byte {
                case lf where lineEnds > 0: return true
                case lf: state = .inHead(lineEnds: 1)
                case cr: state = .inHead(lineEnds: lineEnds == 1 ? 2 : 0)
                default: state = .inHead(lineEnds: 0)
                }
            case .passed:
                return true
            }
        }
        return false
    }
}
