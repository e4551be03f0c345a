public import Foundation
public import MydiaCrypto
public import MydiaWire

/// Everything the client keeps about one paired instance (PROTOCOL.md §1 client storage).
/// `description` redacts tokens and keys, so logging a value never leaks a secret.
public struct ServerCredentials: Sendable, CustomStringConvertible {
    /// The instance's UUID (lowercase string form).
    public var instanceID: String
    /// The instance's human name, sanitised for display (§12.18).
    public var instanceName: String
    /// The instance's static X25519 public key, pinned at pairing.
    public var instancePublicKey: [UInt8]
    /// hex(SHA-256(DER)) of the direct listener's certificate, pinned (replaced per §11.11).
    public var certFingerprint: String
    /// `https://host:port` candidates for the direct path, in preference order.
    public var directURLs: [String]
    /// The relay origin, e.g. `https://relay.example.org` (§11.2).
    public var relayURL: String
    /// PEM of the extra trust anchor for the relay's TLS (`--relay-ca`, §12.5), kept so every later
    /// connection trusts the same relay; `nil` = system roots only.
    public var relayCAPEM: String?
    /// b64(32 bytes) HMAC key for the private DNS-SD tag (§12.12), when the instance sent one.
    public var discoveryKey: String?
    /// This device's static X25519 key pair for this instance (one per paired instance).
    public var deviceKeyPair: X25519KeyPair
    /// This device's id at the instance.
    public var deviceID: String
    /// The long-lived device token: only for reconnect handshakes and `refreshAccessToken`.
    public var deviceToken: String
    /// Bearer token for GraphQL, probe and HLS.
    public var accessToken: String
    /// When `accessToken` expires.
    public var accessExpiresAt: Date
    /// `?token=` for HLS and file streams.
    public var mediaToken: String
    /// When `mediaToken` expires.
    public var mediaExpiresAt: Date
    /// When this device was paired with the instance.
    public var pairedAt: Date
    /// When these credentials were last used to connect.
    public var lastUsedAt: Date

    /// Credentials from a successful pairing handshake (message 2 of a `pair`, PROTOCOL.md §4.3).
    /// - Parameters:
    ///   - instanceID: the instance id from the sealed claim.
    ///   - instancePublicKey: the instance static key from the sealed claim (now pinned).
    ///   - relayURL: the relay origin the client paired through.
    ///   - deviceKeyPair: the static key pair the client used as Noise initiator.
    ///   - grant: message 2's grant; it must carry the device token.
    ///   - relayCAPEM: the `--relay-ca` PEM the pairing trusted, if any.
    ///   - now: the pairing time.
    /// - Throws: `CredentialStore.Error.missingDeviceToken` when the grant has no device token.
    public init(instanceID: String, instancePublicKey: [UInt8], relayURL: String, deviceKeyPair: X25519KeyPair,
                grant: HandshakeGrant, relayCAPEM: String? = nil, now: Date = Date()) throws(CredentialStore.Error) {
        guard let token = grant.deviceToken, !token.isEmpty else { throw .missingDeviceToken }
        self.init(instanceID: instanceID, instanceName: grant.instanceName, instancePublicKey: instancePublicKey,
                  certFingerprint: grant.certFingerprint, directURLs: grant.directURLs, relayURL: relayURL,
                  discoveryKey: grant.discoveryKey, deviceKeyPair: deviceKeyPair, deviceID: grant.deviceID,
                  deviceToken: token, accessToken: grant.accessToken, accessExpiresAt: grant.accessExpiresAt,
                  mediaToken: grant.mediaToken, mediaExpiresAt: grant.mediaExpiresAt, pairedAt: now, lastUsedAt: now,
                  relayCAPEM: relayCAPEM)
    }

    /// Memberwise initialiser.
    public init(instanceID: String, instanceName: String, instancePublicKey: [UInt8], certFingerprint: String,
                directURLs: [String], relayURL: String, discoveryKey: String?, deviceKeyPair: X25519KeyPair,
                deviceID: String, deviceToken: String, accessToken: String, accessExpiresAt: Date,
                mediaToken: String, mediaExpiresAt: Date, pairedAt: Date, lastUsedAt: Date, relayCAPEM: String? = nil) {
        self.instanceID = instanceID.lowercased()
        self.instanceName = DisplayText.name(instanceName)
        self.instancePublicKey = instancePublicKey
        self.certFingerprint = certFingerprint.lowercased()
        self.directURLs = directURLs
        self.relayURL = relayURL
        self.relayCAPEM = relayCAPEM
        self.discoveryKey = discoveryKey
        self.deviceKeyPair = deviceKeyPair
        self.deviceID = deviceID.lowercased()
        self.deviceToken = deviceToken
        self.accessToken = accessToken
        self.accessExpiresAt = accessExpiresAt
        self.mediaToken = mediaToken
        self.mediaExpiresAt = mediaExpiresAt
        self.pairedAt = pairedAt
        self.lastUsedAt = lastUsedAt
    }

    /// The instance's name and id, plus non-secret facts; tokens and keys are redacted.
    public var description: String {
        "ServerCredentials(instance: \"\(instanceName)\" \(instanceID), device: \(deviceID), relay: \(relayURL)\(relayCAPEM == nil ? "" : " (own CA)"), "
            + "direct: \(directURLs), cert: \(certFingerprint.prefix(16))…, tokens: <redacted>, keys: <redacted>)"
    }
}

extension ServerCredentials: Codable {
    private enum CodingKeys: String, CodingKey {
        case instanceID = "instance_id", instanceName = "instance_name", instancePublicKey = "instance_public_key"
        case certFingerprint = "cert_fingerprint", directURLs = "direct_urls", relayURL = "relay_url"
        case discoveryKey = "discovery_key", devicePrivateKey = "device_private_key", deviceID = "device_id"
        case deviceToken = "device_token", accessToken = "access_token", accessExpiresAt = "access_expires_at"
        case mediaToken = "media_token", mediaExpiresAt = "media_expires_at", pairedAt = "paired_at"
        case lastUsedAt = "last_used_at", relayCAPEM = "relay_ca_pem"
    }

    /// Decodes the stored form: keys as b64, times as RFC 3339.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func bytes(_ key: CodingKeys) throws -> [UInt8] {
            guard let b = Encoding.fromBase64(try c.decode(String.self, forKey: key)), b.count == 32 else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "expected b64 of 32 bytes")
            }
            return b
        }
        func date(_ key: CodingKeys) throws -> Date {
            guard let d = WireTime.parse(try c.decode(String.self, forKey: key)) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "expected an RFC 3339 time")
            }
            return d
        }
        let privateKey = SecretBytes(copying: try bytes(.devicePrivateKey))
        let keyPair: X25519KeyPair
        do { keyPair = try X25519KeyPair(privateKey: privateKey) } catch {
            throw DecodingError.dataCorruptedError(forKey: .devicePrivateKey, in: c, debugDescription: "unusable key")
        }
        self.init(
            instanceID: try c.decode(String.self, forKey: .instanceID),
            instanceName: try c.decode(String.self, forKey: .instanceName),
            instancePublicKey: try bytes(.instancePublicKey),
            certFingerprint: try c.decode(String.self, forKey: .certFingerprint),
            directURLs: try c.decode([String].self, forKey: .directURLs),
            relayURL: try c.decode(String.self, forKey: .relayURL),
            discoveryKey: try c.decodeIfPresent(String.self, forKey: .discoveryKey),
            deviceKeyPair: keyPair,
            deviceID: try c.decode(String.self, forKey: .deviceID),
            deviceToken: try c.decode(String.self, forKey: .deviceToken),
            accessToken: try c.decode(String.self, forKey: .accessToken),
            accessExpiresAt: try date(.accessExpiresAt),
            mediaToken: try c.decode(String.self, forKey: .mediaToken),
            mediaExpiresAt: try date(.mediaExpiresAt),
            pairedAt: try date(.pairedAt),
            lastUsedAt: try date(.lastUsedAt),
            relayCAPEM: try c.decodeIfPresent(String.self, forKey: .relayCAPEM))
    }

    /// Encodes the stored form: keys as b64, times as RFC 3339.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(instanceID, forKey: .instanceID)
        try c.encode(instanceName, forKey: .instanceName)
        try c.encode(Encoding.base64(instancePublicKey), forKey: .instancePublicKey)
        try c.encode(certFingerprint, forKey: .certFingerprint)
        try c.encode(directURLs, forKey: .directURLs)
        try c.encode(relayURL, forKey: .relayURL)
        try c.encodeIfPresent(relayCAPEM, forKey: .relayCAPEM)
        try c.encodeIfPresent(discoveryKey, forKey: .discoveryKey)
        try c.encode(Encoding.base64(deviceKeyPair.privateKey.exposedCopy()), forKey: .devicePrivateKey)
        try c.encode(deviceID, forKey: .deviceID)
        try c.encode(deviceToken, forKey: .deviceToken)
        try c.encode(accessToken, forKey: .accessToken)
        try c.encode(WireTime.format(accessExpiresAt), forKey: .accessExpiresAt)
        try c.encode(mediaToken, forKey: .mediaToken)
        try c.encode(WireTime.format(mediaExpiresAt), forKey: .mediaExpiresAt)
        try c.encode(WireTime.format(pairedAt), forKey: .pairedAt)
        try c.encode(WireTime.format(lastUsedAt), forKey: .lastUsedAt)
    }
}
