import MydiaWire
import NIOCore
import NIOSSL

/// TLS toward the relay (PROTOCOL.md §12.5, §13.22), shared by its WebSocket and its HTTP claim
/// API: full CA verification with the system roots, plus one extra PEM trust anchor when the user
/// passed `--relay-ca` (a test lab or a self-hosted relay); TLS 1.2 or newer.
enum RelayTLS {
    /// SNI name sent for an IP-literal relay: a reserved name no certificate authority can issue, so
    /// only an IP-address SAN matching the connected address can verify (ECOSYSTEM.md pitfall).
    static let ipLiteralSNI = "relay.invalid"

    /// The client configuration for `wss://` / `https://` to the relay.
    /// - Throws: `.invalidConfiguration` when the extra anchor is not a PEM certificate.
    static func configuration(extraTrustAnchorPEM: String?) throws(RelayConnection.Error) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12  // §12.5
        tls.certificateVerification = .fullVerification
        if let pem = extraTrustAnchorPEM {
            let anchors: [NIOSSLCertificate]
            do { anchors = try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)) } catch {
                throw .invalidConfiguration("the relay CA file is not a PEM certificate")
            }
            guard !anchors.isEmpty else { throw .invalidConfiguration("the relay CA file holds no certificate") }
            tls.additionalTrustRoots = [.certificates(anchors)]
        }
        return tls
    }

    /// The name to send as SNI (and to verify, besides an IP SAN) for `origin`.
    static func serverName(for origin: RelayOrigin) -> String {
        (try? SocketAddress(ipAddress: origin.host, port: 0)) != nil ? ipLiteralSNI : origin.host
    }
}
