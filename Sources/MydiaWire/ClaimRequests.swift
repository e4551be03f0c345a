import MydiaCrypto

/// `POST /pairing/v2/claim` body (PROTOCOL.md §3.2, §12.6).
public struct ClaimPublishRequest: Codable, Sendable, Equatable {
    /// hex(lookup): 64 lowercase hex characters.
    public var lookupKey: String
    /// The sealed claim, b64url.
    public var sealed: String
    /// hex(SHA-256(UTF-8 bytes of `delete_secret`)): who may DELETE the entry (§12.6b).
    public var owner: String

    /// Builds a publish body.
    public init(lookupKey: String, sealed: String, owner: String) {
        self.lookupKey = lookupKey
        self.sealed = sealed
        self.owner = owner
    }

    enum CodingKeys: String, CodingKey {
        case lookupKey = "lookup_key", sealed, owner
    }
}

/// `GET /pairing/v2/claim/{lookup_key}` 200 body.
public struct ClaimLookupResponse: Codable, Sendable, Equatable {
    /// The sealed claim, b64url.
    public var sealed: String
    /// Wraps a sealed claim.
    public init(sealed: String) { self.sealed = sealed }
}

/// `DELETE /pairing/v2/claim/{lookup_key}` body (§12.6b).
public struct ClaimDeleteRequest: Codable, Sendable, Equatable {
    /// The secret whose SHA-256 was published as `owner`.
    public var deleteSecret: String
    /// Wraps a delete secret.
    public init(deleteSecret: String) { self.deleteSecret = deleteSecret }

    enum CodingKeys: String, CodingKey {
        case deleteSecret = "delete_secret"
    }
}

/// The relay's HTTP error body: `{"error","message"}`.
public struct RelayHTTPError: Codable, Sendable, Equatable {
    /// A short machine-readable code (`bad_request`, `not_found`, `conflict`, `forbidden`, `rate_limited`, ...).
    public var error: String
    /// One plain sentence for a human.
    public var message: String
    /// Builds an error body.
    public init(error: String, message: String) {
        self.error = error
        self.message = message
    }
}

/// Helpers for the sealed-claim API's keys and owner secrets.
public enum ClaimKeys {
    /// `true` iff `lookupKey` is exactly 64 lowercase hex characters (§12.7).
    public static func isValidLookupKey(_ lookupKey: String) -> Bool {
        let bytes = Array(lookupKey.utf8)
        return bytes.count == 64 && bytes.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// A fresh delete secret: b64url of 32 random bytes.
    public static func makeDeleteSecret() -> String {
        Encoding.base64URL(SecretBytes.random(count: 32).exposedCopy())
    }

    /// `owner` = hex(SHA-256(UTF-8 bytes of the delete secret)) (§12.6b).
    public static func owner(forDeleteSecret secret: String) -> String {
        Encoding.hex(SHA256.hash(Array(secret.utf8)))
    }

    /// `true` iff `owner` is a 64-character lowercase hex digest.
    public static func isValidOwner(_ owner: String) -> Bool { isValidLookupKey(owner) }
}
