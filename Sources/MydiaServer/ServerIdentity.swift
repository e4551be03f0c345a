import Foundation
public import MydiaCrypto

/// Who this instance is, persisted in the state directory and stable across restarts
/// (PROTOCOL.md §1): `instance_id`, name, the Noise static key, the discovery key (§12.12) and the
/// direct listener's certificate.
public struct ServerIdentity: Sendable {
    /// Why the identity could not be loaded or created.
    public enum Error: Swift.Error, CustomStringConvertible {
        case corrupt(String)

        public var description: String {
            switch self {
            case .corrupt(let file): "The server identity in \(file) is damaged; restore it from a backup or move the state directory aside to start over (all devices must then pair again)."
            }
        }
    }

    public let instanceID: String
    public let instanceName: String
    /// The Noise static key; its public half is the instance's identity.
    public let staticKey: X25519KeyPair
    /// 32 random bytes for private-mode LAN discovery tags, handed to paired clients.
    public let discoveryKey: SecretBytes
    public let certificate: SelfSignedCertificate

    /// `cert_fingerprint`: hex(SHA-256(leaf DER)).
    public var fingerprint: CertificateFingerprint { CertificateFingerprint(der: certificate.der) }

    private struct Stored: Codable {
        var instance_id: String
        var instance_name: String
        var static_private_key: String
        var discovery_key: String
    }

    static let identityFile = "identity.json"
    static let certificateFile = "tls-cert.pem"
    static let keyFile = "tls-key.pem"

    /// Loads the identity from `directory`, creating whatever is missing. A given `name` replaces
    /// the stored one; `hosts` go into a newly made certificate's subjectAltName.
    public static func loadOrCreate(in directory: StateDirectory, name: String?, hosts: [String]) throws -> ServerIdentity {
        var stored: Stored
        if let data = directory.read(identityFile) {
            guard let s = try? JSONDecoder().decode(Stored.self, from: data),
                  let key = Encoding.fromBase64(s.static_private_key), key.count == 32,
                  Encoding.fromBase64(s.discovery_key)?.count == 32, UUID(uuidString: s.instance_id) != nil
            else { throw Error.corrupt(directory.file(identityFile).path) }
            stored = s
        } else {
            let key = X25519KeyPair.generate()
            stored = Stored(
                instance_id: UUID().uuidString.lowercased(), instance_name: defaultName(),
                static_private_key: Encoding.base64(key.privateKey.exposedCopy()),
                discovery_key: Encoding.base64(SecretBytes.random(count: 32).exposedCopy()))
        }
        if let name, !name.isEmpty { stored.instance_name = String(name.prefix(64)) }
        try directory.write(try JSONEncoder().encode(stored), to: identityFile)

        let certificate: SelfSignedCertificate
        if let certPEM = directory.read(certificateFile), let keyPEM = directory.read(keyFile),
           let loaded = SelfSignedCertificate(certificatePEM: String(decoding: certPEM, as: UTF8.self), privateKeyPEM: String(decoding: keyPEM, as: UTF8.self)) {
            certificate = loaded
        } else {
            certificate = try SelfSignedCertificate.generate(commonName: stored.instance_name, hosts: hosts)
            try directory.write(Data(certificate.privateKeyPEM.utf8), to: keyFile)
            try directory.write(Data(certificate.certificatePEM.utf8), to: certificateFile)
        }
        return ServerIdentity(
            instanceID: stored.instance_id, instanceName: stored.instance_name,
            staticKey: try X25519KeyPair(privateKeyBytes: Encoding.fromBase64(stored.static_private_key)!),
            discoveryKey: SecretBytes(copying: Encoding.fromBase64(stored.discovery_key)!), certificate: certificate)
    }

    /// Replaces the TLS certificate with a fresh one (the pin changes; clients learn the new one
    /// from their next relay handshake, §11.11).
    public static func rotateCertificate(in directory: StateDirectory, hosts: [String]) throws {
        let current = try loadOrCreate(in: directory, name: nil, hosts: hosts)
        let fresh = try SelfSignedCertificate.generate(commonName: current.instanceName, hosts: hosts)
        try directory.write(Data(fresh.privateKeyPEM.utf8), to: keyFile)
        try directory.write(Data(fresh.certificatePEM.utf8), to: certificateFile)
    }

    private static func defaultName() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, buf.count - 1)
        let host = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return host.isEmpty ? "Mydia" : "Mydia on \(host)"
    }
}
