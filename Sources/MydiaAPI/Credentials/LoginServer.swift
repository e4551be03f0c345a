public import Foundation
import MydiaWire

/// Everything the client keeps about one server it reaches by URL login (PROTOCOL.md §14.2): the
/// address, how its TLS is checked, the user and the access token — never the password.
/// `description` redacts the token, so logging a value never leaks it.
public struct LoginServer: Sendable, Hashable, CustomStringConvertible {
    /// How the server's identity is checked (§14.2.5); fixed at login.
    public enum Security: Sendable, Hashable {
        /// `https://` verified against the system roots plus this CA (`--ca FILE`), if any.
        case verified(caPEM: String?)
        /// `https://` accepted iff hex(SHA-256(leaf DER)) equals this pin (`--pin-sha256 HEX`).
        case pinned(sha256: String)
        /// `http://` to a loopback, private or link-local address.
        case plainHTTP
    }

    /// This client's own id for the entry (a UUID, lowercase); `--server ID` selects by it.
    public var id: String
    /// The name shown and matched by `--server NAME` (`--name`, else the host), sanitised.
    public var name: String
    /// The normalised base URL (`LoginURL.string`).
    public var baseURL: String
    /// The TLS mode.
    public var security: Security
    /// The user name as typed at login.
    public var username: String
    /// The user's id as the server reported it, if it did.
    public var userID: String?
    /// The per-install device id sent with the login (§14.2.2).
    public var deviceID: String
    /// The bearer for every request, GraphQL and media alike (§14.2.3).
    public var accessToken: String
    /// When the access token expires, from `expiresIn`; `nil` when the server did not say.
    public var accessExpiresAt: Date?
    /// The schema generation the server speaks (§14.2.8).
    public var generation: ServerGeneration
    /// When the login succeeded.
    public var loggedInAt: Date
    /// When the entry was last used to connect.
    public var lastUsedAt: Date

    /// Creates an entry.
    public init(id: String = UUID().uuidString.lowercased(), name: String, baseURL: String, security: Security,
                username: String, userID: String?, deviceID: String, accessToken: String, accessExpiresAt: Date?,
                generation: ServerGeneration, loggedInAt: Date, lastUsedAt: Date) {
        self.id = id.lowercased()
        self.name = DisplayText.name(name)
        self.baseURL = baseURL
        self.security = security
        self.username = username
        self.userID = userID
        self.deviceID = deviceID.lowercased()
        self.accessToken = accessToken
        self.accessExpiresAt = accessExpiresAt
        self.generation = generation
        self.loggedInAt = loggedInAt
        self.lastUsedAt = lastUsedAt
    }

    /// The name, address, user and non-secret facts; the token is redacted.
    public var description: String {
        let tls: String
        switch security {
        case .verified(let pem): tls = pem == nil ? "verified" : "verified (own CA)"
        case .pinned(let pin): tls = "pinned \(pin.prefix(16))…"
        case .plainHTTP: tls = "plain http"
        }
        return "LoginServer(\"\(name)\" \(id), url: \(baseURL), tls: \(tls), user: \(username), device: \(deviceID), "
            + "generation: \(generation.rawValue), token: <redacted>)"
    }
}

extension LoginServer: Codable {
    private enum CodingKeys: String, CodingKey {
        case id, name, baseURL = "base_url", tls, username, userID = "user_id", deviceID = "device_id"
        case accessToken = "access_token", accessExpiresAt = "access_expires_at", generation
        case loggedInAt = "logged_in_at", lastUsedAt = "last_used_at"
    }

    private enum TLSKeys: String, CodingKey {
        case mode, caPEM = "ca_pem", sha256
    }

    /// Decodes the stored form (times RFC 3339, `tls` as `{"mode": "verified"|"pinned"|"plain_http", …}`).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func date(_ key: CodingKeys) throws -> Date {
            guard let d = WireTime.parse(try c.decode(String.self, forKey: key)) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "expected an RFC 3339 time")
            }
            return d
        }
        let t = try c.nestedContainer(keyedBy: TLSKeys.self, forKey: .tls)
        let security: Security
        switch try t.decode(String.self, forKey: .mode) {
        case "verified": security = .verified(caPEM: try t.decodeIfPresent(String.self, forKey: .caPEM))
        case "pinned":
            let pin = try t.decode(String.self, forKey: .sha256).lowercased()
            guard pin.count == 64, pin.allSatisfy(\.isHexDigit) else {
                throw DecodingError.dataCorruptedError(forKey: .sha256, in: t, debugDescription: "expected 64 hex digits")
            }
            security = .pinned(sha256: pin)
        case "plain_http": security = .plainHTTP
        default: throw DecodingError.dataCorruptedError(forKey: .mode, in: t, debugDescription: "unknown TLS mode")
        }
        let expiry = try c.decodeIfPresent(String.self, forKey: .accessExpiresAt)
        self.init(
            id: try c.decode(String.self, forKey: .id),
            name: try c.decode(String.self, forKey: .name),
            baseURL: try c.decode(String.self, forKey: .baseURL),
            security: security,
            username: try c.decode(String.self, forKey: .username),
            userID: try c.decodeIfPresent(String.self, forKey: .userID),
            deviceID: try c.decode(String.self, forKey: .deviceID),
            accessToken: try c.decode(String.self, forKey: .accessToken),
            accessExpiresAt: try expiry.map { text in
                guard let d = WireTime.parse(text) else {
                    throw DecodingError.dataCorruptedError(forKey: .accessExpiresAt, in: c, debugDescription: "expected an RFC 3339 time")
                }
                return d
            },
            generation: try c.decodeIfPresent(ServerGeneration.self, forKey: .generation) ?? .current,
            loggedInAt: try date(.loggedInAt),
            lastUsedAt: try date(.lastUsedAt))
    }

    /// Encodes the stored form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(baseURL, forKey: .baseURL)
        var t = c.nestedContainer(keyedBy: TLSKeys.self, forKey: .tls)
        switch security {
        case .verified(let pem):
            try t.encode("verified", forKey: .mode)
            try t.encodeIfPresent(pem, forKey: .caPEM)
        case .pinned(let pin):
            try t.encode("pinned", forKey: .mode)
            try t.encode(pin, forKey: .sha256)
        case .plainHTTP:
            try t.encode("plain_http", forKey: .mode)
        }
        try c.encode(username, forKey: .username)
        try c.encodeIfPresent(userID, forKey: .userID)
        try c.encode(deviceID, forKey: .deviceID)
        try c.encode(accessToken, forKey: .accessToken)
        try c.encodeIfPresent(accessExpiresAt.map(WireTime.format), forKey: .accessExpiresAt)
        try c.encode(generation, forKey: .generation)
        try c.encode(WireTime.format(loggedInAt), forKey: .loggedInAt)
        try c.encode(WireTime.format(lastUsedAt), forKey: .lastUsedAt)
    }
}
