public import Foundation
public import Logging
import MydiaConnection
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The local HLS proxy (PROTOCOL.md §10, §12.22): an HTTP/1.1 server on 127.0.0.1 and an
/// ephemeral port whose every URL lies under a fresh 128-bit random prefix. It maps the player's
/// playlist, segment and direct-play requests onto the instance API over the current path,
/// forwards `Range`, and streams bodies with backpressure (one chunk in memory per connection,
/// the socket's write buffer bounded by NIO's watermarks). A path change under a running
/// response is absorbed below it (the ConnectionManager resumes by `Range`), so the player's
/// socket never sees it. Serves any number of parallel connections.
public final class MediaProxy: Sendable {
    /// Why the proxy could not start.
    public enum Error: Swift.Error, Sendable, CustomStringConvertible {
        /// Binding 127.0.0.1 failed.
        case bindFailed(String)

        public var description: String {
            switch self {
            case .bindFailed(let why): "The local media proxy could not listen on 127.0.0.1: \(why)"
            }
        }
    }

    /// What the proxy has done so far (for the UI, tests and benchmarks).
    public struct Statistics: Sendable, Equatable {
        /// Requests answered (any status).
        public var requests = 0
        /// Requests refused for a wrong prefix, path or Host.
        public var refused = 0
        /// Body bytes written to players.
        public var bytesServed = 0
        /// Responses cut because the upstream body failed for good (the player saw a short body).
        public var truncated = 0
        /// Connections open right now.
        public var openConnections = 0
    }

    /// The random path prefix: 32 lowercase hex digits (128 bits), new for every proxy.
    public let prefix: String
    /// The bound port on 127.0.0.1.
    public let port: Int
    let upstream: any MediaUpstream
    let logger: Logger
    private let serverChannel: any Channel
    private let runner: Mutex<Task<Void, Never>?>
    private let stats = Mutex(Statistics())

    /// Starts a proxy in front of `upstream`.
    /// - Parameters:
    ///   - upstream: where requests go (normally ``ConnectionUpstream``).
    ///   - logger: receives one line per request (mapped kind and status; no prefix, no token).
    public static func start(upstream: any MediaUpstream, logger: Logger) async throws -> MediaProxy {
        let bound: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
        do {
            bound = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 64)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .bind(host: "127.0.0.1", port: 0) { child in
                    child.eventLoop.makeCompletedFuture {
                        try child.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: child)
                    }
                }
        } catch {
            throw Error.bindFailed("\(error)")
        }
        guard let port = bound.channel.localAddress?.port else {
            try? await bound.channel.close()
            throw Error.bindFailed("no local port")
        }
        let proxy = MediaProxy(prefix: Self.randomPrefix(), port: port, upstream: upstream, logger: logger, serverChannel: bound.channel)
        let task = Task { await proxy.serve(bound) }
        proxy.runner.withLock { $0 = task }
        return proxy
    }

    private init(prefix: String, port: Int, upstream: any MediaUpstream, logger: Logger, serverChannel: any Channel) {
        self.prefix = prefix
        self.port = port
        self.upstream = upstream
        self.logger = logger
        self.serverChannel = serverChannel
        self.runner = Mutex(nil)
    }

    /// `http://127.0.0.1:PORT/<prefix>`; append `/hls/<session>/<playlist>`, `/file/<id>` or
    /// `/subtitles/<fileId>/<trackId>`.
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/\(prefix)")! }

    /// The player's URL for an HLS file of a streaming session.
    public func hlsURL(session: String, playlist: String = "index.m3u8") -> URL {
        baseURL.appendingPathComponent("hls").appendingPathComponent(session).appendingPathComponent(playlist)
    }

    /// The player's URL for direct play of a file.
    public func fileURL(id: String) -> URL {
        URL(string: baseURL.absoluteString + "/file/" + ProxyRoute.segment(id)) ?? baseURL
    }

    /// The player's URL for one subtitle track of a file, as WebVTT.
    public func subtitleURL(fileID: String, trackID: String) -> URL {
        URL(string: baseURL.absoluteString + "/subtitles/" + ProxyRoute.segment(fileID) + "/" + ProxyRoute.segment(trackID)) ?? baseURL
    }

    /// A snapshot of the counters.
    public var statistics: Statistics { stats.withLock { $0 } }

    /// Stops listening and closes every connection; running responses end.
    public func stop() async {
        let task = runner.withLock { $0 }
        task?.cancel()
        try? await serverChannel.close()
        await task?.value
    }

    private func serve(_ bound: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>) async {
        do {
            try await withThrowingDiscardingTaskGroup { group in
                try await bound.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask { await self.serveConnection(connection) }
                    }
                }
                group.cancelAll()
            }
        } catch {
            if !Task.isCancelled { logger.debug("media proxy stopped", metadata: ["error": "\(error)"]) }
        }
    }

    private func serveConnection(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        stats.withLock { $0.openConnections += 1 }
        defer { stats.withLock { $0.openConnections -= 1 } }
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                for try await part in inbound {
                    switch part {
                    case .head(let h):
                        head = h
                    case .body:
                        continue  // media requests have no body; ignore one if sent
                    case .end:
                        guard let request = head else { continue }
                        head = nil
                        let keepAlive = try await self.respond(to: request, outbound: outbound)
                        if !keepAlive { return }
                    }
                }
            }
        } catch {
            logger.trace("proxy connection ended", metadata: ["error": "\(error)"])
        }
    }

    static func randomPrefix() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return String(byte >> 4, radix: 16) + String(byte & 0x0f, radix: 16)
        }.joined()
    }

    func count(_ update: (inout Statistics) -> Void) {
        stats.withLock { statistics in update(&statistics) }
    }
}
