import NIOCore
import NIOPosix

/// A TCP proxy on 127.0.0.1 in front of one target that holds every chunk, each way, for `delay`
/// before forwarding it, in order and without throttling: a link with a round trip of 2 × `delay`
/// (issue 20 §4: the relay with 80 ms round trip). Each accepted connection gets its own
/// connection to the target, opened before the first byte is read.
final class DelayProxy: Sendable {
    /// The port it listens on (127.0.0.1).
    let port: Int
    private let channel: any Channel

    private init(port: Int, channel: any Channel) {
        self.port = port
        self.channel = channel
    }

    /// Listens on an ephemeral port and forwards to `host:targetPort` with `delay` each way.
    static func start(targetHost host: String, targetPort: Int, delay: TimeAmount) async throws -> DelayProxy {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { inbound in
                // The target connection first: the accepted one is read only once this completes.
                let toTarget = DelayForwarder(delay: delay)
                let toClient = DelayForwarder(delay: delay)
                return ClientBootstrap(group: inbound.eventLoop)
                    .channelOption(.socketOption(.tcp_nodelay), value: 1)
                    .channelInitializer { $0.pipeline.addHandler(toClient) }
                    .connect(host: host, port: targetPort)
                    .flatMap { outbound in
                        toTarget.peer = outbound
                        toClient.peer = inbound
                        return inbound.pipeline.addHandler(toTarget)
                    }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else {
            try? await channel.close()
            throw DelayProxyError.noPort
        }
        return DelayProxy(port: port, channel: channel)
    }

    /// Stops accepting connections (open ones run on).
    func stop() async {
        try? await channel.close()
    }
}

enum DelayProxyError: Error { case noPort }

/// Forwards what one side reads to `peer`, each chunk `delay` after it arrived; the close too.
/// Both channels of a pair share one event loop, and this is touched only on it.
final class DelayForwarder: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    let delay: TimeAmount
    var peer: (any Channel)?
    /// Chunks (nil: the close) waiting for their time, oldest first.
    private var queue = CircularBuffer<(due: NIODeadline, chunk: ByteBuffer?)>()
    private var scheduled = false

    init(delay: TimeAmount) { self.delay = delay }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        enqueue(unwrapInboundIn(data), on: context.eventLoop)
    }

    func channelInactive(context: ChannelHandlerContext) {
        enqueue(nil, on: context.eventLoop)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func enqueue(_ chunk: ByteBuffer?, on loop: any EventLoop) {
        queue.append((.now() + delay, chunk))
        schedule(on: loop)
    }

    private func schedule(on loop: any EventLoop) {
        guard !scheduled, let first = queue.first else { return }
        scheduled = true
        loop.scheduleTask(deadline: first.due) { self.drain(on: loop) }
    }

    private func drain(on loop: any EventLoop) {
        scheduled = false
        let now = NIODeadline.now()
        var wrote = false
        while let first = queue.first, first.due <= now {
            queue.removeFirst()
            if let chunk = first.chunk {
                peer?.write(chunk, promise: nil)
                wrote = true
            } else {
                if wrote { peer?.flush() }
                peer?.close(promise: nil)
                queue.removeAll()
                return
            }
        }
        if wrote { peer?.flush() }
        schedule(on: loop)
    }
}
