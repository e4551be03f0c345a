import Foundation
public import MydiaAPI

/// One submitted login form, checked as far as that can be done without the network: the URL
/// parses, the user and password are there, the trust field says what it means. The transport rule
/// (plain HTTP only to local addresses) needs the resolver and is checked when the login runs.
public struct LoginAttempt: Sendable, Equatable {
    /// The server's base URL.
    public var url: LoginURL
    /// User name or e-mail.
    public var username: String
    /// The password; the login call wipes its copy when it ends.
    public var password: SecretInput
    /// How the server's certificate is trusted.
    public var trust: LoginTrust

    /// An attempt.
    public init(url: LoginURL, username: String, password: SecretInput, trust: LoginTrust) {
        self.url = url
        self.username = username
        self.password = password
        self.trust = trust
    }
}

/// The login form's one "Trust" field (PROTOCOL.md §14.2.5): empty for the system's CAs, the path
/// of a PEM CA file to trust as well, or the SHA-256 fingerprint of the exact certificate to accept.
/// An `http://` URL has no TLS, so the field must stay empty for it.
public enum LoginTrust: Sendable, Hashable {
    /// `https://` checked against the system's CAs.
    case system
    /// `https://` checked against the system's CAs plus this PEM file (read when the login runs).
    case caFile(String)
    /// `https://` accepting exactly the certificate with this fingerprint (64 lowercase hex digits).
    case pin(String)
    /// `http://`: no TLS.
    case plainHTTP

    /// Why the field cannot be used; `description` is one sentence.
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// A CA file or pin with an `http://` URL.
        case notForPlainHTTP
        /// Hex digits (and colons) that are not 64 of them.
        case pinLength(Int)

        public var description: String {
            switch self {
            case .notForPlainHTTP:
                "A CA file or pin applies to https:// only — this URL is http://; clear Trust or use the server's https:// URL."
            case .pinLength(let n):
                "A SHA-256 pin has 64 hex digits (colons allowed), this one has \(n) — or give a CA file by its path (e.g. ./ca.pem)."
            }
        }
    }

    /// Reads the field for `url`.
    /// - Throws: `.notForPlainHTTP`, `.pinLength`.
    public init(_ text: String, for url: LoginURL) throws(Error) {
        let field = text.trimmingCharacters(in: .whitespaces)
        if url.isPlainHTTP {
            guard field.isEmpty else { throw .notForPlainHTTP }
            self = .plainHTTP
            return
        }
        if field.isEmpty {
            self = .system
            return
        }
        if let pin = Self.pin(field) {
            self = .pin(pin)
            return
        }
        // Only hex digits and colons, no path punctuation: a mistyped pin rather than a file name.
        let hex = Self.hexDigits(field)
        if hex.allSatisfy(\.isHexDigit), !field.contains("/"), !field.contains("."), hex.count >= 8 || field.contains(":") {
            throw .pinLength(hex.count)
        }
        self = .caFile(field)
    }

    /// 64 lowercase hex digits from what `openssl x509 -fingerprint -sha256` or `sha256sum` print
    /// (colons, spaces and a `sha256=` prefix allowed); `nil` for anything else.
    public static func pin(_ text: String) -> String? {
        let hex = hexDigits(text)
        return hex.count == 64 && hex.allSatisfy(\.isHexDigit) ? hex : nil
    }

    private static func hexDigits(_ text: String) -> String {
        var hex = text.lowercased().filter { $0 != ":" && !$0.isWhitespace }
        for prefix in ["sha256=", "sha256"] where hex.hasPrefix(prefix) {
            hex.removeFirst(prefix.count)
            break
        }
        return hex
    }
}
