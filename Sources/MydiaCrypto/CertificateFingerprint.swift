/// `cert_fingerprint` = hex(SHA-256(DER of the leaf certificate)) (PROTOCOL.md §1, §6).
public struct CertificateFingerprint: Sendable, Equatable, CustomStringConvertible {
    /// 64 lowercase hex characters.
    public let hex: String

    /// The fingerprint of a DER-encoded certificate.
    public init(der: some Collection<UInt8>) {
        hex = Encoding.hex(Sodium.sha256(Array(der)))
    }

    /// A stored fingerprint; `nil` unless it is 64 hex characters (either case).
    public init?(hex: String) {
        guard hex.utf8.count == 64, Encoding.fromHex(hex) != nil else { return nil }
        self.hex = hex.lowercased()
    }

    /// Constant-time comparison with a presented certificate's fingerprint (§6: never unpinned).
    public func matches(_ other: CertificateFingerprint) -> Bool {
        ConstantTime.equals(hex, other.hex)
    }

    public static func == (a: Self, b: Self) -> Bool { a.matches(b) }

    public var description: String { hex }
}

/// SHA-256, exposed for fingerprints and token hashes (PROTOCOL.md §12.10).
public enum SHA256 {
    /// The 32-byte digest of `data`.
    public static func hash(_ data: some Collection<UInt8>) -> [UInt8] { Sodium.sha256(Array(data)) }
}
