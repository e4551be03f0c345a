// NIOPosix (the relay HTTP client) makes CNIOLinux declare the C socket types too.
#if canImport(CNIOLinux)
import CNIOLinux
#endif
import Crypto
public import Foundation
import SwiftASN1
import X509

/// The direct listener's TLS identity: a self-signed P-256 certificate whose fingerprint the
/// client pins (PROTOCOL.md §1, §6). Host names are not checked by clients, but the certificate
/// still names the addresses it serves so ordinary tools (curl) can be pointed at it.
public struct SelfSignedCertificate: Sendable {
    /// PEM of the certificate.
    public let certificatePEM: String
    /// PEM (PKCS#8) of the private key.
    public let privateKeyPEM: String
    /// DER of the certificate.
    public let der: [UInt8]

    /// Makes a fresh certificate valid for 10 years.
    /// - Parameters:
    ///   - commonName: shown by tools; the instance name.
    ///   - hosts: IP literals and DNS names for the subjectAltName extension.
    public static func generate(commonName: String, hosts: [String], now: Date = Date()) throws -> SelfSignedCertificate {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName(String(commonName.prefix(64))) }
        var altNames: [GeneralName] = []
        for host in Set(hosts + ["127.0.0.1", "localhost"]).sorted() {
            if let ip = IPAddressBytes(host) { altNames.append(.ipAddress(ASN1OctetString(contentBytes: ip.bytes[...]))) }
            else { altNames.append(.dnsName(host)) }
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(),
            publicKey: .init(key.publicKey), notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(10 * 365 * 86_400), issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(altNames)
            },
            issuerPrivateKey: .init(key))
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return SelfSignedCertificate(
            certificatePEM: try certificate.serializeAsPEM().pemString, privateKeyPEM: key.pemRepresentation,
            der: serializer.serializedBytes)
    }

    /// Loads a stored pair; `nil` if either PEM does not parse.
    public init?(certificatePEM: String, privateKeyPEM: String) {
        guard let cert = try? Certificate(pemEncoded: certificatePEM),
              (try? P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM)) != nil
        else { return nil }
        var serializer = DER.Serializer()
        guard (try? serializer.serialize(cert)) != nil else { return nil }
        self.init(certificatePEM: certificatePEM, privateKeyPEM: privateKeyPEM, der: serializer.serializedBytes)
    }

    private init(certificatePEM: String, privateKeyPEM: String, der: [UInt8]) {
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
        self.der = der
    }
}

/// IPv4/IPv6 literal → network-order bytes (for subjectAltName iPAddress entries).
struct IPAddressBytes {
    let bytes: [UInt8]

    init?(_ text: String) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
        } else {
            return nil
        }
    }
}
