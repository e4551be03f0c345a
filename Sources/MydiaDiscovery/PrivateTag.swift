public import Foundation
public import MydiaCrypto

/// The private-mode tag (PROTOCOL.md §9, §11.17, §12.12): the first 16 hex digits of
/// HMAC-SHA256(key = discovery_key, "mydia-mdns" || hour number as decimal ASCII), where the hour
/// number is `floor(unix_time / 3600)`.
public enum PrivateTag {
    /// The hour number of `date`.
    public static func hour(of date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / 3600).rounded(.down))
    }

    /// The tag for `hour` under `key` (16 lowercase hex digits).
    public static func tag(key: SecretBytes, hour: Int64) -> String {
        String(Encoding.hex(HMACSHA256.authenticate(key: key, message: Array("mydia-mdns\(hour)".utf8))).prefix(16))
    }

    /// The tag in force at `date`.
    public static func tag(key: SecretBytes, at date: Date) -> String {
        tag(key: key, hour: hour(of: date))
    }

    /// Whether `candidate` is `key`'s tag for the hour of `date`, the one before or the one after
    /// (§11.17: clocks drift). Compared in constant time.
    public static func matches(_ candidate: String, key: SecretBytes, at date: Date) -> Bool {
        let now = hour(of: date)
        let lowered = candidate.lowercased()
        var found = false
        for h in [now - 1, now, now + 1] where ConstantTime.equals(lowered, tag(key: key, hour: h)) { found = true }
        return found
    }
}
