import Foundation
import NIOCore
import NIOPosix

/// One UDP socket on one interface, joined to 224.0.0.251 (RFC 6762 §3): what the responder and
/// the browser both stand on. Bound with SO_REUSEADDR/SO_REUSEPORT so it can share port 5353
/// with other mDNS software on the host; on Linux IP_MULTICAST_ALL is off, so the socket hears
/// only the interface it joined on.
final class MDNSSocket: Sendable {
    /// Why a socket could not be opened.
    enum Error: Swift.Error, CustomStringConvertible {
        case open(MDNSInterface, String)

        var description: String {
            switch self {
            case .open(let interface, let why): "mDNS cannot listen on \(interface): \(why)."
            }
        }
    }

    /// One datagram received: its bytes and who sent it.
    struct Datagram: Sendable {
        var bytes: [UInt8]
        var source: SocketAddress
    }

    static let groupIPv4 = "224.0.0.251"

    let interface: MDNSInterface
    let port: Int
    let datagrams: AsyncStream<Datagram>
    private let channel: any Channel
    private let group: SocketAddress

    private init(interface: MDNSInterface, port: Int, channel: any Channel, group: SocketAddress, datagrams: AsyncStream<Datagram>) {
        self.interface = interface
        self.port = port
        self.channel = channel
        self.group = group
        self.datagrams = datagrams
    }

    /// Binds `0.0.0.0:port`, joins the mDNS group on `interface` and sends from it.
    static func open(on interface: MDNSInterface, port: Int) async throws -> MDNSSocket {
        let (stream, continuation) = AsyncStream.makeStream(of: Datagram.self, bufferingPolicy: .bufferingNewest(256))
        do {
            let group = try SocketAddress(ipAddress: groupIPv4, port: port)
            var bootstrap = DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelOption(.socketOption(NIOBSDSocket.Option(rawValue: SO_REUSEPORT)), value: 1)
            #if os(Linux)
            bootstrap = bootstrap.channelOption(.ipOption(NIOBSDSocket.Option(rawValue: IP_MULTICAST_ALL)), value: 0)
            #endif
            let channel = try await bootstrap
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(DatagramForwarder(continuation))
                    }
                }
                .bind(host: "0.0.0.0", port: port).get()
            do {
                // IP_ADD_MEMBERSHIP by hand: NIO's joinGroup refuses interfaces without the
                // MULTICAST flag, and Linux's `lo` lacks it although multicast works there.
                let provider = channel as! any SocketOptionProvider
                try await provider.unsafeSetSocketOption(
                    level: SocketOptionLevel(IPPROTO_IP), name: SocketOptionName(IP_ADD_MEMBERSHIP),
                    value: interface.membershipRequest(group: groupIPv4)).get()
                try await provider.setIPMulticastIF(interface.inAddress).get()
                try await provider.setIPMulticastTTL(255).get()
                try await provider.setIPMulticastLoop(1).get()
            } catch {
                try? await channel.close()
                throw error
            }
            channel.closeFuture.whenComplete { _ in continuation.finish() }
            return MDNSSocket(interface: interface, port: port, channel: channel, group: group, datagrams: stream)
        } catch let error as Error {
            continuation.finish()
            throw error
        } catch {
            continuation.finish()
            throw Error.open(interface, "\(error)")
        }
    }

    /// Sends `message` to the mDNS group, or to `destination` (a legacy unicast querier).
    func send(_ message: DNSMessage, to destination: SocketAddress? = nil) async {
        let bytes = message.encode()
        guard bytes.count <= DNSMessage.maximumSize else { return }
        let envelope = AddressedEnvelope(remoteAddress: destination ?? group, data: ByteBuffer(bytes: bytes))
        try? await channel.writeAndFlush(envelope).get()
    }

    func close() async {
        try? await channel.close()
    }
}

/// Hands each received datagram to an AsyncStream (the socket's reader).
private final class DatagramForwarder: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    private let continuation: AsyncStream<MDNSSocket.Datagram>.Continuation

    init(_ continuation: AsyncStream<MDNSSocket.Datagram>.Continuation) { self.continuation = continuation }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        var buffer = envelope.data
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        continuation.yield(.init(bytes: bytes, source: envelope.remoteAddress))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Swift.Error) {
        // A datagram socket reports ICMP errors here (a legacy querier went away): keep listening.
    }
}
