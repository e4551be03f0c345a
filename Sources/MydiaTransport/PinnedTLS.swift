import MydiaCrypto
import NIOCore
import NIOTLS
import NIOSSL
import Synchronization

/// TLS for the direct path (PROTOCOL.md §6, §12.5): the server certificate is accepted iff
/// hex(SHA-256(leaf DER)) equals the pinned `cert_fingerprint`, compared in constant time; host
/// name and CA are not checked; TLS 1.2 or newer. There is no unpinned mode.
enum PinnedTLS {
    /// The client context: verification on (so the custom callback runs — `.none` would skip it),
    /// host names off (the pin replaces them).
    static func makeContext() throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.certificateVerification = .noHostnameVerification
        return try NIOSSLContext(configuration: tls)
    }

    /// What the pin check saw, readable after a failed handshake.
    final class Verdict: Sendable {
        private let state = Mutex<CertificateFingerprint?>(nil)
        /// The fingerprint of a leaf that did NOT match the pin, if that is why the handshake failed.
        var mismatch: CertificateFingerprint? { state.withLock { $0 } }
        func noteMismatch(_ presented: CertificateFingerprint) { state.withLock { $0 = presented } }
    }

    /// The handler that checks the pin. `serverHostname` is sent as SNI only for names, never for
    /// IP literals.
    static func handler(context: NIOSSLContext, host: String, pin: CertificateFingerprint, verdict: Verdict) throws -> NIOSSLClientHandler {
        let isIP = (try? SocketAddress(ipAddress: host, port: 0)) != nil
        return try NIOSSLClientHandler(context: context, serverHostname: isIP ? nil : host) { certificates, promise in
            // Runs on the event loop: hashing one certificate does not block.
            guard let leaf = certificates.first, let der = try? leaf.toDERBytes() else {
                promise.succeed(.failed)
                return
            }
            let presented = CertificateFingerprint(der: der)
            if pin.matches(presented) {
                promise.succeed(.certificateVerified)
            } else {
                verdict.noteMismatch(presented)
                promise.succeed(.failed)
            }
        }
    }

    /// Completes when the TLS handshake finished (pin verified), fails when the channel errors or
    /// closes first. Nothing is written on the connection before this completes.
    /// Lives on its channel's event loop only (not Sendable); the promise is completed once.
    final class HandshakeWatcher: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let done: EventLoopPromise<Void>
        private var completed = false

        init(promise: EventLoopPromise<Void>) { done = promise }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case TLSUserEvent.handshakeCompleted = event { complete(nil) }
            context.fireUserInboundEventTriggered(event)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            complete(error)
            context.fireErrorCaught(error)
        }

        func channelInactive(context: ChannelHandlerContext) {
            complete(ChannelError.ioOnClosedChannel)
            context.fireChannelInactive()
        }

        /// A channel that never became active (the connect failed after the pipeline was built)
        /// sees no `channelInactive`; the promise must still be completed, never leaked.
        func handlerRemoved(context: ChannelHandlerContext) {
            complete(ChannelError.ioOnClosedChannel)
        }

        private func complete(_ error: (any Error)?) {
            guard !completed else { return }
            completed = true
            if let error { done.fail(error) } else { done.succeed(()) }
        }
    }
}
