/// HMAC-SHA256 (RFC 2104) for callers outside the crypto core, e.g. the LAN discovery tag
/// (PROTOCOL.md §9, §12.12).
public enum HMACSHA256 {
    /// The 32-byte MAC of `message` under `key`. The key must not be empty.
    public static func authenticate(key: SecretBytes, message: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(message)
        var out = [UInt8](repeating: 0, count: 32)
        key.withUnsafeBytes { k in
            bytes.withUnsafeBytes { m in
                out.withUnsafeMutableBytes { o in Sodium.hmacSHA256(key: k, [m], into: o) }
            }
        }
        return out
    }
}
