import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A TCP forwarder on 127.0.0.1 that the tests put in front of a real listener to make the network
/// misbehave on command: refuse new connections, reset the open ones, go silent (blackhole), slow
/// every chunk down, or rewrite bytes flowing back to the client (a relay that lies).
///
/// It forwards bytes only; TLS and WebSocket traffic pass through untouched unless a rewrite rule
/// matches. The target can be set after start, so a server can announce the proxy's port before
/// the proxy knows the server's.
public final class FaultProxy: Sendable {
    /// What happens to connections.
    public enum Mode: Sendable, Equatable {
        /// Forward both ways.
        case pass
        /// New connections are reset at once (like a closed port behind a firewall that answers).
        case reject
        /// Connections are accepted and kept, and nothing is forwarded in either direction.
        case blackhole
    }

    private struct State {
        var mode: Mode = .pass
        var target: (host: String, port: Int)?
        var chunkDelay: Duration = .zero
        var rewrite: (from: [UInt8], to: [UInt8])?
        var rewrites = 0
        var accepted = 0
        var open: [ObjectIdentifier: [any Channel]] = [:]
    }

    /// The port clients connect to.
    public let port: Int
    private let state = Mutex(State())
    private let server: any Channel

    /// Starts listening on 127.0.0.1 (`port` 0 = any free port).
    public static func start(port: Int = 0, target: (host: String, port: Int)? = nil) async throws -> FaultProxy {
        let box = Mutex<FaultProxy?>(nil)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.autoRead, value: true)
            .childChannelInitializer { channel in
                guard let proxy = box.withLock({ $0 }) else { return channel.close() }
                return proxy.accept(channel)
            }
            .bind(host: "127.0.0.1", port: port).get()
        let proxy = FaultProxy(server: server, port: server.localAddress?.port ?? 0)
        proxy.state.withLock { $0.target = target }
        box.withLock { $0 = proxy }
        return proxy
    }

    private init(server: any Channel, port: Int) {
        self.server = server
        self.port = port
    }

    /// Where connections go from now on.
    public func setTarget(host: String = "127.0.0.1", port: Int) { state.withLock { $0.target = (host, port) } }

    /// Changes the mode for new connections; `.blackhole` also silences the open ones.
    public func setMode(_ mode: Mode) { state.withLock { $0.mode = mode } }

    /// Delays every forwarded chunk (both directions) by `delay`.
    public func setChunkDelay(_ delay: Duration) { state.withLock { $0.chunkDelay = delay } }

    /// Replaces `from` with `to` (same length) in bytes flowing from the target back to the client.
    public func setRewrite(from: [UInt8], to: [UInt8]) {
        precondition(from.count == to.count && !from.isEmpty, "rewrites keep the length")
        state.withLock { $0.rewrite = (from, to) }
    }

    /// How many times the rewrite rule matched.
    public var rewriteCount: Int { state.withLock { $0.rewrites } }

    /// How many connections were accepted in total.
    public var acceptedCount: Int { state.withLock { $0.accepted } }

    /// Connections currently forwarded.
    public var openCount: Int { state.withLock { $0.open.count } }

    /// Resets every open connection (TCP RST on both sides).
    public func resetAll() {
        let channels = state.withLock { s -> [any Channel] in
            defer { s.open.removeAll() }
            return s.open.values.flatMap { $0 }
        }
        for channel in channels { Self.reset(channel) }
    }

    /// Stops listening and resets every open connection.
    public func stop() async {
        try? await server.close()
        resetAll()
    }

    private static func reset(_ channel: any Channel) {
        // SO_LINGER 0 turns close() into a RST, which is what a dying peer or middlebox sends.
        guard let socket = channel as? any SocketOptionProvider else { return channel.close(promise: nil) }
        socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
    }

    private func accept(_ inbound: any Channel) -> EventLoopFuture<Void> {
        let (mode, target) = state.withLock { s in
            s.accepted += 1
            return (s.mode, s.target)
        }
        guard mode != .reject, let target else {
            Self.reset(inbound)
            return inbound.eventLoop.makeSucceededVoidFuture()
        }
        let key = ObjectIdentifier(inbound)
        let toClient = Forwarder(proxy: self, towardsClient: true)
        let toTarget = Forwarder(proxy: self, towardsClient: false)
        _ = inbound.setOption(ChannelOptions.autoRead, value: false)
        let upstream = ClientBootstrap(group: inbound.eventLoop)
            .channelInitializer { $0.pipeline.addHandler(toClient) }
            .connect(host: target.host, port: target.port)
        upstream.whenSuccess { outbound in
            toClient.peer = inbound
            toTarget.peer = outbound
            self.state.withLock { $0.open[key] = [inbound, outbound] }
            let cleanup: @Sendable (Result<Void, any Error>) -> Void = { _ in
                self.state.withLock { _ = $0.open.removeValue(forKey: key) }
                inbound.close(promise: nil)
                outbound.close(promise: nil)
            }
            inbound.closeFuture.whenComplete(cleanup)
            outbound.closeFuture.whenComplete(cleanup)
            _ = inbound.setOption(ChannelOptions.autoRead, value: true)
        }
        upstream.whenFailure { _ in Self.reset(inbound) }
        return inbound.pipeline.addHandler(toTarget)
    }

    /// Current per-chunk delay, blackhole flag and rewrite rule.
    fileprivate func shaping() -> (delay: Duration, silent: Bool) {
        state.withLock { ($0.chunkDelay, $0.mode == .blackhole) }
    }

    fileprivate func rewritten(_ bytes: [UInt8]) -> [UInt8] {
        state.withLock { s in
            guard let rule = s.rewrite, bytes.count >= rule.from.count else { return bytes }
            var out = bytes
            var i = 0
            while i + rule.from.count <= out.count {
                if out[i] == rule.from[0], Array(out[i..<i + rule.from.count]) == rule.from {
                    out.replaceSubrange(i..<i + rule.from.count, with: rule.to)
                    s.rewrites += 1
                    i += rule.from.count
                } else {
                    i += 1
                }
            }
            return out
        }
    }
}

/// Copies bytes read on one channel to its peer, applying the proxy's faults. Lives on the
/// inbound channel's event loop (both channels share it).
private final class Forwarder: ChannelInboundHandler, @unchecked Sendable {  // event-loop confined
    typealias InboundIn = ByteBuffer

    unowned let proxy: FaultProxy
    let towardsClient: Bool
    var peer: (any Channel)?

    init(proxy: FaultProxy, towardsClient: Bool) {
        self.proxy = proxy
        self.towardsClient = towardsClient
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = Self.unwrapInboundIn(data)
        guard let peer else { return }
        let (delay, silent) = proxy.shaping()
        if silent { return }
        var bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        if towardsClient { bytes = proxy.rewritten(bytes) }
        let out = peer.allocator.buffer(bytes: bytes)
        if delay > .zero {
            // Hold reading while the chunk waits, so a slow link also slows the sender down.
            context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
            let channel = context.channel
            let nanos = delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000
            context.eventLoop.scheduleTask(in: .nanoseconds(nanos)) {
                peer.writeAndFlush(out, promise: nil)
                channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
            }
        } else {
            peer.writeAndFlush(out, promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        peer?.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
