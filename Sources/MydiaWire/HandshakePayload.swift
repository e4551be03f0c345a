public import Foundation

/// Message 1's payload (PROTOCOL.md §4.3, §12.9): first pairing or a later reconnect.
public enum HandshakeRequest: Sendable, Equatable {
    /// `{"type":"pair","claim_code","device_name","platform","client_version","ts"}`.
    case pair(claimCode: String, deviceName: String, platform: String, clientVersion: String, timestamp: Int64)
    /// `{"type":"reconnect","device_id","device_token","ts"}`.
    case reconnect(deviceID: String, deviceToken: String, timestamp: Int64)

    /// Why a message-1 payload is not acceptable; the instance answers `auth_failed` (§11.10).
    public enum DecodingError: Error, Equatable, Sendable {
        case notJSON
        case unknownType
        case missingField(String)
    }

    /// Unix seconds the sender put in `ts`.
    public var timestamp: Int64 {
        switch self {
        case .pair(_, _, _, _, let ts), .reconnect(_, _, let ts): ts
        }
    }

    private struct Raw: Codable {
        var type: String?
        var claim_code: String?
        var device_name: String?
        var platform: String?
        var client_version: String?
        var device_id: String?
        var device_token: String?
        var ts: Int64?
    }

    /// The JSON bytes for the handshake.
    public func encoded() -> [UInt8] {
        let raw: Raw = switch self {
        case let .pair(code, name, platform, version, ts):
            Raw(type: "pair", claim_code: code, device_name: name, platform: platform, client_version: version, ts: ts)
        case let .reconnect(id, token, ts):
            Raw(type: "reconnect", device_id: id, device_token: token, ts: ts)
        }
        return WireJSON.encode(raw)
    }

    /// Parses a received message-1 payload. Unknown fields are ignored (§12.1).
    public init(decoding bytes: [UInt8]) throws(DecodingError) {
        guard let raw = try? WireJSON.decoder.decode(Raw.self, from: Data(bytes)) else { throw .notJSON }
        func need(_ value: String?, _ name: String) throws(DecodingError) -> String {
            guard let value else { throw .missingField(name) }
            return value
        }
        guard let ts = raw.ts else { throw .missingField("ts") }
        switch raw.type {
        case "pair":
            self = .pair(
                claimCode: try need(raw.claim_code, "claim_code"), deviceName: try need(raw.device_name, "device_name"),
                platform: raw.platform ?? "", clientVersion: raw.client_version ?? "", timestamp: ts)
        case "reconnect":
            self = .reconnect(deviceID: try need(raw.device_id, "device_id"), deviceToken: try need(raw.device_token, "device_token"), timestamp: ts)
        default:
            throw .unknownType
        }
    }
}

/// Message 2's payload (PROTOCOL.md §4.3, §11.11, §12.12).
public enum HandshakeResponse: Sendable, Equatable {
    case success(HandshakeGrant)
    case failure(HandshakeFailure)

    private struct Raw: Codable {
        var ok: Bool
        var error: String?
        var device_id: String?
        var device_token: String?
        var access_token: String?
        var access_expires_at: String?
        var media_token: String?
        var media_expires_at: String?
        var instance_name: String?
        var direct_urls: [String]?
        var cert_fingerprint: String?
        var discovery_key: String?
    }

    /// Why a message-2 payload could not be read.
    public enum DecodingError: Error, Equatable, Sendable {
        case notJSON
        case missingField(String)
    }

    public func encoded() -> [UInt8] {
        switch self {
        case .failure(let f):
            return WireJSON.encode(Raw(ok: false, error: f.rawValue))
        case .success(let g):
            return WireJSON.encode(Raw(
                ok: true, device_id: g.deviceID, device_token: g.deviceToken, access_token: g.accessToken,
                access_expires_at: WireTime.format(g.accessExpiresAt), media_token: g.mediaToken,
                media_expires_at: WireTime.format(g.mediaExpiresAt), instance_name: g.instanceName,
                direct_urls: g.directURLs, cert_fingerprint: g.certFingerprint, discovery_key: g.discoveryKey))
        }
    }

    public init(decoding bytes: [UInt8]) throws(DecodingError) {
        guard let raw = try? WireJSON.decoder.decode(Raw.self, from: Data(bytes)) else { throw .notJSON }
        guard raw.ok else {
            // An error string we do not know still means failure; keep it recognisable.
            self = .failure(HandshakeFailure(rawValue: raw.error ?? "") ?? .authFailed)
            return
        }
        func need<T>(_ value: T?, _ name: String) throws(DecodingError) -> T {
            guard let value else { throw .missingField(name) }
            return value
        }
        guard let accessExpiry = WireTime.parse(try need(raw.access_expires_at, "access_expires_at")) else {
            throw .missingField("access_expires_at")
        }
        guard let mediaExpiry = WireTime.parse(try need(raw.media_expires_at, "media_expires_at")) else {
            throw .missingField("media_expires_at")
        }
        self = .success(HandshakeGrant(
            deviceID: try need(raw.device_id, "device_id"), deviceToken: raw.device_token,
            accessToken: try need(raw.access_token, "access_token"), accessExpiresAt: accessExpiry,
            mediaToken: try need(raw.media_token, "media_token"), mediaExpiresAt: mediaExpiry,
            instanceName: DisplayText.name(try need(raw.instance_name, "instance_name")),
            directURLs: raw.direct_urls ?? [], certFingerprint: try need(raw.cert_fingerprint, "cert_fingerprint"),
            discoveryKey: raw.discovery_key))
    }
}

/// What a successful handshake grants the client.
public struct HandshakeGrant: Sendable, Equatable {
    public var deviceID: String
    /// Only on first pairing.
    public var deviceToken: String?
    public var accessToken: String
    public var accessExpiresAt: Date
    public var mediaToken: String
    public var mediaExpiresAt: Date
    public var instanceName: String
    public var directURLs: [String]
    public var certFingerprint: String
    /// b64(32 bytes) for §9's private-mode tag (§12.12).
    public var discoveryKey: String?

    public init(
        deviceID: String, deviceToken: String?, accessToken: String, accessExpiresAt: Date, mediaToken: String,
        mediaExpiresAt: Date, instanceName: String, directURLs: [String], certFingerprint: String, discoveryKey: String?
    ) {
        self.deviceID = deviceID
        self.deviceToken = deviceToken
        self.accessToken = accessToken
        self.accessExpiresAt = accessExpiresAt
        self.mediaToken = mediaToken
        self.mediaExpiresAt = mediaExpiresAt
        self.instanceName = instanceName
        self.directURLs = directURLs
        self.certFingerprint = certFingerprint
        self.discoveryKey = discoveryKey
    }
}

/// The failure codes of message 2 (§4.3), each with the sentence a person should read.
public enum HandshakeFailure: String, Sendable, Equatable, CaseIterable, Error, CustomStringConvertible {
    case claimInvalid = "claim_invalid"
    case claimExpired = "claim_expired"
    case claimUsed = "claim_used"
    case rateLimited = "rate_limited"
    case deviceUnknown = "device_unknown"
    case deviceRevoked = "device_revoked"
    case authFailed = "auth_failed"
    case remoteAccessDisabled = "remote_access_disabled"

    public var description: String {
        switch self {
        case .claimInvalid: "The claim code is not valid — check it, or ask the server for a new one."
        case .claimExpired: "The claim code has expired — ask the server for a new one."
        case .claimUsed: "The claim code was already used — ask the server for a new one."
        case .rateLimited: "Too many attempts — wait a minute, then ask the server for a new code."
        case .deviceUnknown: "The server does not know this device any more — pair it again."
        case .deviceRevoked: "This device was revoked on the server — pair it again if that was a mistake."
        case .authFailed: "The server refused this device's credentials — pair it again."
        case .remoteAccessDisabled: "Remote access is turned off on the server."
        }
    }
}
