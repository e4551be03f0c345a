import MydiaCrypto
import MydiaTunnel
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// One HTTP/1.1 connection of the direct path (TLS in the client's mode), serving one request at a time; kept alive
/// for the next request when the server allows it and the last body was read to its end.
final class DirectConnection: Sendable {
    /// One request handed to the connection task.
    final class Job: Sendable {
        let head: HTTPRequestHead
        let body: [UInt8]
        let response = OneShot<Result<TransportResponse, DirectClient.Error>>()
        /// Whether a byte of the response arrived (a reused connection that failed before that is
        /// retried once on a fresh one).
        let started = Mutex(false)

        init(head: HTTPRequestHead, body: [UInt8]) {
            self.head = head
            self.body = body
        }
    }

    /// Largest body piece handed to the consumer: what one read burst of four 64 KiB socket reads
    /// can bring (§13.37).
    static let maxPiece = 256 * 1024

    private let jobs: AsyncStream<Job>.Continuation
    /// Called when the connection can take another request.
    private let idle = Mutex<(@Sendable (DirectConnection) -> Void)?>(nil)

    private init(jobs: AsyncStream<Job>.Continuation) { self.jobs = jobs }

    /// Connects, completes TLS in the client's mode (none for plain HTTP), and starts serving.
    /// - Throws: `.pinMismatch` (distinct, §8), `.untrustedCertificate`, `.hostnameMismatch`,
    ///   `.unreachable`, `.tls`, `.timedOut`.
    static func open(
        host: String, port: Int, mode: DirectClient.TLSMode, context: NIOSSLContext?, group: any EventLoopGroup,
        connectTimeout: Duration, bodyBufferBytes: Int, onIdle: @escaping @Sendable (DirectConnection) -> Void
    ) async throws(DirectClient.Error) -> DirectConnection {
        let verdict = DirectTLS.Verdict()
        let channel: NIOAsyncChannel<DirectResponsePart, HTTPClientRequestPart>
        let handshake: EventLoopFuture<Void>
        do {
            (channel, handshake) = try await ClientBootstrap(group: group)
                .connectTimeout(.milliseconds(Int64(connectTimeout / .milliseconds(1))))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        var ready = channel.eventLoop.makeSucceededVoidFuture()
                        if let context {
                            let watcher = DirectTLS.HandshakeWatcher(promise: channel.eventLoop.makePromise(), verdict: verdict)
                            let tls = try DirectTLS.handler(context: context, host: host, mode: mode, verdict: verdict)
                            try channel.pipeline.syncOperations.addHandler(tls)
                            try channel.pipeline.syncOperations.addHandler(watcher)
                            ready = watcher.done.futureResult
                        }
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(BodyCopyHandler())
                        let async = try NIOAsyncChannel<DirectResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                        return (async, ready)
                    }
                }
        } catch {
            throw .unreachable(DirectClient.describe(error))
        }
        do {
            try await handshake.get()
        } catch {
            // The async channel must be finished through its scope, even unused.
            try? await channel.executeThenClose { _, _ in }
            if let presented = verdict.mismatch { throw .pinMismatch(presented: presented.hex) }
            if DirectTLS.isHostnameMismatch(error) {
                throw .hostnameMismatch(host: host, presented: verdict.presented?.hex)
            }
            if DirectTLS.isUntrustedChain(error) {
                var presented = verdict.presented
                if presented == nil {
                    presented = await presentedCertificate(host: host, port: port, group: group, connectTimeout: connectTimeout)
                }
                throw .untrustedCertificate(presented: presented?.hex)
            }
            throw .tls(DirectClient.describe(error))
        }

        let (stream, jobs) = AsyncStream<Job>.makeStream()
        let connection = DirectConnection(jobs: jobs)
        connection.idle.withLock { $0 = onIdle }
        Task {
            await connection.serve(channel, jobs: stream, bodyBufferBytes: bodyBufferBytes)
        }
        return connection
    }

    /// The leaf certificate a server presents, read on a second short connection that fails its
    /// own handshake (nothing is sent on it): after a verification failure, so the error can
    /// name the fingerprint to pin. `nil` when it cannot be read.
    static func presentedCertificate(host: String, port: Int, group: any EventLoopGroup,
                                     connectTimeout: Duration) async -> CertificateFingerprint? {
        guard let context = try? DirectTLS.makeRecordingContext() else { return nil }
        let verdict = DirectTLS.Verdict()
        do {
            let (channel, handshake) = try await ClientBootstrap(group: group)
                .connectTimeout(.milliseconds(Int64(connectTimeout / .milliseconds(1))))
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let watcher = DirectTLS.HandshakeWatcher(promise: channel.eventLoop.makePromise(), verdict: verdict)
                        try channel.pipeline.syncOperations.addHandler(DirectTLS.recordingHandler(context: context, host: host, verdict: verdict))
                        try channel.pipeline.syncOperations.addHandler(watcher)
                        return (channel, watcher.done.futureResult)
                    }
                }
            _ = try? await handshake.get()
            try? await channel.close().get()
        } catch {
            return nil
        }
        return verdict.presented
    }

    /// Queues a request; `false` if the connection is closed.
    func submit(_ job: Job) -> Bool {
        if case .terminated = jobs.yield(job) { return false }
        return true
    }

    /// Closes the connection once it is idle (or now, if it is).
    func close() { jobs.finish() }

    private func serve(_ channel: NIOAsyncChannel<DirectResponsePart, HTTPClientRequestPart>, jobs stream: AsyncStream<Job>, bodyBufferBytes: Int) async {
        defer { jobs.finish() }
        try? await channel.executeThenClose { inbound, outbound in
            var parts = inbound.makeAsyncIterator()
            for await job in stream {
                let reusable = await run(job, parts: &parts, outbound: outbound, bodyBufferBytes: bodyBufferBytes)
                guard reusable else { return }
                if let onIdle = idle.withLock({ $0 }) { onIdle(self) }
            }
        }
        // A job queued while the connection was closing gets a clear error.
        jobs.finish()
        for await job in stream { job.response.fulfil(.failure(.connectionClosed(retryable: true))) }
    }

    /// Runs one exchange; `true` if the connection can serve another.
    private func run(
        _ job: Job, parts: inout NIOAsyncChannelInboundStream<DirectResponsePart>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>, bodyBufferBytes: Int
    ) async -> Bool {
        do {
            // One flush for the whole request (one write to the socket, not three).
            try await outbound.write(contentsOf: HTTPRequestHeadBuilder.parts(job.head, body: job.body))
        } catch {
            job.response.fulfil(.failure(.connectionClosed(retryable: true)))
            return false
        }
        var head: HTTPResponseHead?
        do {
            while head == nil {
                guard let part = try await parts.next() else {
                    job.response.fulfil(.failure(.connectionClosed(retryable: !job.started.withLock { $0 })))
                    return false
                }
                job.started.withLock { $0 = true }
                if case .head(let h) = part, h.status.code >= 200 || h.status == .switchingProtocols { head = h }
            }
        } catch {
            job.response.fulfil(.failure(.connectionClosed(retryable: !job.started.withLock { $0 })))
            return false
        }
        guard let head else { return false }
        var headers: [String: String] = [:]
        for (name, value) in head.headers {
            let key = name.lowercased()
            headers[key] = headers[key].map { "\($0), \(value)" } ?? value
        }
        let pipe = BodyPipe(capacity: bodyBufferBytes, onConsume: nil, onCancel: nil)
        job.response.fulfil(.success(TransportResponse(status: Int(head.status.code), headers: headers, body: ResponseBody(pipe: pipe))))
        do {
            while let part = try await parts.next() {
                switch part {
                case .head: continue
                case .body(let piece):
                    // Each piece waits while the consumer lags: what is buffered stays within the
                    // configured bytes plus one piece.
                    try await pipe.send(piece)
                case .end:
                    pipe.finish()
                    return head.isKeepAlive
                }
            }
            pipe.fail(DirectClient.Error.connectionClosed(retryable: true))
        } catch is CancellationError {
            // The consumer stopped reading: the rest of this body is abandoned with the connection.
        } catch {
            pipe.fail(DirectClient.Error.connectionClosed(retryable: true))
        }
        return false
    }
}

/// A response part as the connection task reads it: body bytes already copied out of NIO's buffers.
enum DirectResponsePart: Sendable {
    case head(HTTPResponseHead)
    /// At most `DirectConnection.maxPiece` bytes.
    case body([UInt8])
    /// Trailers, if any, are dropped.
    case end
}

/// Copies each decoded body slice out of NIO's buffers on the event loop, so that no slice of the
/// TLS handler's plaintext buffer outlives the read that filled it (PROTOCOL.md §13.37). A slice
/// waiting in the async channel's buffer made NIOSSL's next read copy that buffer into a fresh
/// allocation (copy on write): one more copy of every body byte, onto pages never touched before,
/// at the cost of a page fault per 4 KiB.
///
/// The bytes of one read burst leave as one piece of up to `maxPiece` (PROTOCOL.md §13.37): a
/// piece is handed on when it is full, at the end of the read (`channelReadComplete`) and before
/// the response's end, never held for a later read.
final class BodyCopyHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias InboundOut = DirectResponsePart

    private var piece: [UInt8] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            context.fireChannelRead(wrapInboundOut(.head(head)))
        case .body(let buffer):
            buffer.withUnsafeReadableBytes { bytes in
                var rest = bytes[...]
                while !rest.isEmpty {
                    if piece.isEmpty { piece.reserveCapacity(DirectConnection.maxPiece) }
                    let n = min(DirectConnection.maxPiece - piece.count, rest.count)
                    piece.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest.prefix(n)))
                    rest = rest.dropFirst(n)
                    if piece.count == DirectConnection.maxPiece { handOn(context) }
                }
            }
        case .end:
            handOn(context)
            context.fireChannelRead(wrapInboundOut(.end))
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        handOn(context)
        context.fireChannelReadComplete()
    }

    private func handOn(_ context: ChannelHandlerContext) {
        guard !piece.isEmpty else { return }
        let full = piece
        piece = []
        context.fireChannelRead(wrapInboundOut(.body(full)))
    }
}
