import MydiaCrypto
import NIOCore
import NIOTLS
import NIOSSL
import Synchronization

/// TLS for the direct path, in the client's three modes (PROTOCOL.md §6, §12.5, §14.2.5):
/// - pinned: the server certificate is accepted iff hex(SHA-256(leaf DER)) equals the pin,
///   compared in constant time; host name and CA are not checked. A pinned client never falls
///   back to another mode.
/// - verified: the system roots plus an optional extra CA, host name checked (a URL login to a
///   server with a public or private-CA certificate).
/// - plain HTTP: no TLS at all, only where `LoginURL` allows it (loopback and private addresses).
/// TLS 1.2 or newer in both TLS modes.
enum DirectTLS {
    /// The client context for a mode; `nil` for plain HTTP.
    static func makeContext(for mode: DirectClient.TLSMode) throws(DirectClient.Error) -> NIOSSLContext? {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        switch mode {
        case .plainHTTP:
            return nil
        case .pinned:
            // Verification on (so the custom callback runs — `.none` would skip it), host names
            // off (the pin replaces them).
            tls.certificateVerification = .noHostnameVerification
        case .verified(let extraCAPEM):
            tls.certificateVerification = .fullVerification
            if let pem = extraCAPEM {
                let anchors: [NIOSSLCertificate]
                do { anchors = try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)) } catch {
                    throw .invalidTrustAnchor("the CA file is not a PEM certificate")
                }
                guard !anchors.isEmpty else { throw .invalidTrustAnchor("the CA file holds no certificate") }
                tls.additionalTrustRoots = [.certificates(anchors)]
            }
        }
        do { return try NIOSSLContext(configuration: tls) } catch {
            throw .tls(DirectClient.describe(error))
        }
    }

    /// Diagnostic context: accepts nothing, but lets the recording callback see the leaf.
    static func makeRecordingContext() throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.certificateVerification = .noHostnameVerification
        return try NIOSSLContext(configuration: tls)
    }

    /// What the certificate checks saw, readable after a failed handshake.
    final class Verdict: Sendable {
        private struct State {
            var mismatch: CertificateFingerprint?
            var presented: CertificateFingerprint?
        }

        private let state = Mutex(State())
        /// The fingerprint of a leaf that did NOT match the pin, if that is why the handshake failed.
        var mismatch: CertificateFingerprint? { state.withLock { $0.mismatch } }
        /// The leaf the server presented, when it could be read.
        var presented: CertificateFingerprint? { state.withLock { $0.presented ?? $0.mismatch } }
        func noteMismatch(_ presented: CertificateFingerprint) { state.withLock { $0.mismatch = presented } }
        func notePresented(_ presented: CertificateFingerprint) { state.withLock { $0.presented = presented } }
    }

    /// The TLS handler for a mode. `serverHostname` is sent as SNI (and checked, when verified)
    /// only for names; an IP literal is checked against the certificate's IP addresses.
    static func handler(context: NIOSSLContext, host: String, mode: DirectClient.TLSMode, verdict: Verdict) throws -> NIOSSLClientHandler {
        let isIP = (try? SocketAddress(ipAddress: host, port: 0)) != nil
        let name = isIP ? nil : host
        switch mode {
        case .pinned(let pin):
            return try NIOSSLClientHandler(context: context, serverHostname: name) { certificates, promise in
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
        case .verified, .plainHTTP:
            return try NIOSSLClientHandler(context: context, serverHostname: name)
        }
    }

    /// A handler that only reads the presented leaf and then fails the handshake (so nothing is
    /// ever sent on it): for naming the fingerprint in the "not trusted" error.
    static func recordingHandler(context: NIOSSLContext, host: String, verdict: Verdict) throws -> NIOSSLClientHandler {
        let isIP = (try? SocketAddress(ipAddress: host, port: 0)) != nil
        return try NIOSSLClientHandler(context: context, serverHostname: isIP ? nil : host) {
            (certificates: [NIOSSLCertificate], promise: EventLoopPromise<NIOSSLVerificationResult>) in
            if let leaf = certificates.first, let der = try? leaf.toDERBytes() {
                verdict.notePresented(CertificateFingerprint(der: der))
            }
            promise.succeed(.failed)
        }
    }

    /// Whether a handshake error says the chain did not verify (self-signed or unknown CA, expired).
    static func isUntrustedChain(_ error: any Error) -> Bool {
        guard let e = error as? NIOSSLError else { return false }
        return "\(e)".contains("CERTIFICATE_VERIFY_FAILED")
    }

    /// Whether a handshake error says the certificate is not issued for the host.
    static func isHostnameMismatch(_ error: any Error) -> Bool {
        (error as? NIOSSLExtraError) == .failedToValidateHostname
    }

    /// Completes when the TLS handshake finished (certificate accepted), fails when the channel
    /// errors or closes first. Nothing is written on the connection before this completes.
    /// Lives on its channel's event loop only (not Sendable); the promise is completed once.
    final class HandshakeWatcher: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let done: EventLoopPromise<Void>
        private let verdict: Verdict
        private var completed = false

        init(promise: EventLoopPromise<Void>, verdict: Verdict) {
            done = promise
            self.verdict = verdict
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case TLSUserEvent.handshakeCompleted = event { complete(nil) }
            context.fireUserInboundEventTriggered(event)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            // A host-name mismatch is found after the handshake: the leaf is there to name.
            if !completed, let tls = try? context.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self),
               let leaf = tls.peerCertificate, let der = try? leaf.toDERBytes() {
                verdict.notePresented(CertificateFingerprint(der: der))
            }
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
