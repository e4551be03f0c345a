public import MydiaWire
import NIOCore
public import NIOSSL

/// TLS toward the relay (PROTOCOL.md §12.5), shared by both peers' WebSocket and claim-API
/// exchanges: full CA verification with the system roots, plus one extra PEM trust anchor when the
/// user passed `--relay-ca` (a test lab or a self-hosted relay); TLS 1.2 or newer.
public enum RelayTLS {
    /// Why the TLS settings cannot be used.
    public enum Error: Swift.Error, Equatable, Sendable, CustomStringConvertible {
        /// The `--relay-ca` file is not a PEM certificate, or holds none.
        case unusableTrustAnchor(String)

        public var description: String {
            switch self {
            case .unusableTrustAnchor(let why): why
            }
        }
    }

    /// SNI name sent for an IP-literal relay: a reserved name no certificate authority can issue, so
    /// only an IP-address SAN matching the connected address can verify (ECOSYSTEM.md pitfall).
    public static let ipLiteralSNI = "relay.invalid"

    /// What a failed certificate check means to the person at the terminal (§12.5).
    public static let untrustedCertificate =
        "its TLS certificate is not trusted by this computer; if the relay uses its own CA, pass that CA with --relay-ca FILE"

    /// The client configuration for `wss://` / `https://` to the relay.
    /// - Throws: `.unusableTrustAnchor` when the extra anchor is not a PEM certificate.
    public static func configuration(extraTrustAnchorPEM: String?) throws(Error) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12  // §12.5
        tls.certificateVerification = .fullVerification
        if let pem = extraTrustAnchorPEM {
            let anchors: [NIOSSLCertificate]
            do { anchors = try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)) } catch {
                throw .unusableTrustAnchor("the relay CA file is not a PEM certificate")
            }
            guard !anchors.isEmpty else { throw .unusableTrustAnchor("the relay CA file holds no certificate") }
            tls.additionalTrustRoots = [.certificates(anchors)]
        }
        return tls
    }

    /// The name to send as SNI (and to verify, besides an IP SAN) for `origin`.
    public static func serverName(for origin: RelayOrigin) -> String {
        isIPLiteral(origin.host) ? ipLiteralSNI : origin.host
    }

    /// Whether `host` is an IPv4 or IPv6 address rather than a name.
    public static func isIPLiteral(_ host: String) -> Bool { (try? SocketAddress(ipAddress: host, port: 0)) != nil }

    /// One sentence for a failed connection to the relay; a certificate the system does not trust
    /// names the fix.
    public static func describe(_ error: any Swift.Error) -> String {
        if let e = error as? NIOSSLError {
            if "\(e)".contains("CERTIFICATE_VERIFY_FAILED") { return untrustedCertificate }
            return "TLS: \(e)"
        }
        if let e = error as? NIOSSLExtraError { return "TLS: \(e)" }
        if let e = error as? RelayWebSocket.Error { return "WebSocket: \(e)" }
        return "\(error)"
    }

    /// A TLS context for `origin`, or `nil` for a loopback `http://`/`ws://` relay (the only
    /// plaintext `RelayOrigin` allows, §12.5).
    static func context(for origin: RelayOrigin, extraTrustAnchorPEM: String?) throws(RelayHTTP.Error) -> NIOSSLContext? {
        guard origin.isSecure else { return nil }
        let tls: TLSConfiguration
        do { tls = try configuration(extraTrustAnchorPEM: extraTrustAnchorPEM) } catch {
            throw .invalidConfiguration(error.description)
        }
        do { return try NIOSSLContext(configuration: tls) } catch {
            throw .invalidConfiguration("the TLS settings cannot be used (\(error))")
        }
    }
}
