internal import CSodium

/// Comparisons whose running time does not depend on where two secrets differ.
///
/// Used for MACs, keys, tokens and certificate fingerprints (PROTOCOL.md §4.5, §6). Lengths are not
/// secret: inputs of different length compare unequal at once.
public enum ConstantTime {
    /// `true` iff `a` and `b` have the same length and the same bytes, compared in constant time.
    public static func equals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        let x = Array(a), y = Array(b)
        guard x.count == y.count else { return false }
        if x.isEmpty { return true }
        _ = Sodium.ready
        return x.withUnsafeBytes { xb in
            y.withUnsafeBytes { yb in sodium_memcmp(xb.baseAddress!, yb.baseAddress!, x.count) == 0 }
        }
    }

    /// Constant-time comparison of two strings' UTF-8 bytes (tokens, hex fingerprints).
    public static func equals(_ a: String, _ b: String) -> Bool {
        equals(Array(a.utf8), Array(b.utf8))
    }

    /// `true` iff every byte is zero, in constant time.
    public static func isZero(_ a: some Collection<UInt8>) -> Bool {
        let x = Array(a)
        if x.isEmpty { return true }
        _ = Sodium.ready
        return x.withUnsafeBytes { sodium_is_zero($0.baseAddress!.assumingMemoryBound(to: UInt8.self), x.count) == 1 }
    }
}
