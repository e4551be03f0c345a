public import Foundation
import MydiaCrypto

/// The plaintext inside a sealed claim (PROTOCOL.md §3.2, §12.7):
/// `{"v":1,"instance_id","instance_name","public_key":b64,"expires_at"}`.
public struct ClaimPayload: Sendable, Equatable {
    public var instanceID: String
    public var instanceName: String
    /// The instance's static X25519 public key (32 bytes).
    public var publicKey: [UInt8]
    public var expiresAt: Date

    /// Why an opened claim is not usable.
    public enum Error: Swift.Error, Equatable, Sendable, CustomStringConvertible {
        case malformed
        case unsupportedVersion(Int)
        case expired
        case badPublicKey

        public var description: String {
            switch self {
            case .malformed: "The pairing claim is malformed — ask the server for a new code."
            case .unsupportedVersion(let v): "The server uses pairing claim version \(v), which this client does not understand."
            case .expired: "The claim code has expired — ask the server for a new one."
            case .badPublicKey: "The pairing claim carries an invalid server key — ask the server for a new code."
            }
        }
    }

    public init(instanceID: String, instanceName: String, publicKey: [UInt8], expiresAt: Date) {
        self.instanceID = instanceID
        self.instanceName = instanceName
        self.publicKey = publicKey
        self.expiresAt = expiresAt
    }

    private struct Raw: Codable {
        var v: Int
        var instance_id: String
        var instance_name: String
        var public_key: String
        var expires_at: String
    }

    public func encoded() -> [UInt8] {
        WireJSON.encode(Raw(
            v: 1, instance_id: instanceID, instance_name: instanceName,
            public_key: Encoding.base64(publicKey), expires_at: WireTime.format(expiresAt)))
    }

    /// Parses and checks an opened claim: `v` must be 1, the key 32 bytes, `expires_at` in the future.
    public init(decoding bytes: [UInt8], now: Date = Date()) throws(Error) {
        guard let raw = try? WireJSON.decoder.decode(Raw.self, from: Data(bytes)) else { throw .malformed }
        guard raw.v == 1 else { throw .unsupportedVersion(raw.v) }
        guard let key = Encoding.fromBase64(raw.public_key), key.count == 32 else { throw .badPublicKey }
        guard let expiry = WireTime.parse(raw.expires_at) else { throw .malformed }
        guard expiry > now else { throw .expired }
        self.init(instanceID: raw.instance_id, instanceName: DisplayText.name(raw.instance_name), publicKey: key, expiresAt: expiry)
    }
}

/// The QR code's JSON (§3.3), an optional path that skips the relay lookup:
/// `{"v":1,"relay","instance_id","public_key","claim_code","direct_urls","cert_fingerprint"}`.
public struct PairingQRPayload: Sendable, Equatable, Codable {
    public var v: Int
    public var relay: String
    public var instance_id: String
    public var public_key: String
    public var claim_code: String
    public var direct_urls: [String]
    public var cert_fingerprint: String

    public init(relay: String, instanceID: String, publicKey: [UInt8], claimCode: String, directURLs: [String], certFingerprint: String) {
        v = 1
        self.relay = relay
        instance_id = instanceID
        public_key = Encoding.base64(publicKey)
        claim_code = claimCode
        direct_urls = directURLs
        cert_fingerprint = certFingerprint
    }

    public func encoded() -> String { String(decoding: WireJSON.encode(self), as: UTF8.self) }

    /// Parses a scanned/pasted QR text; `nil` unless it is a v1 payload with a 32-byte key.
    public init?(json: String) {
        guard let p = try? WireJSON.decoder.decode(PairingQRPayload.self, from: Data(json.utf8)), p.v == 1,
              Encoding.fromBase64(p.public_key)?.count == 32
        else { return nil }
        self = p
    }
}
