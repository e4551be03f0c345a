/// Base32 of RFC 4648 §6 (alphabet `A–Z2–7`), written without padding: the form authenticator apps
/// take TOTP secrets in (PROTOCOL.md §14.3).
///
/// Both directions map each 5-bit group without branches or table lookups that depend on its
/// value, so the time taken does not reveal the secret being encoded.
public enum Base32 {
    /// The unpadded, uppercase encoding of `bytes`.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var out = [UInt8]()
        out.reserveCapacity((input.count * 8 + 4) / 5)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in input {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(symbol(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)) & 0x1f))
            }
        }
        if bits > 0 { out.append(symbol(UInt8(truncatingIfNeeded: buffer << UInt32(5 - bits)) & 0x1f)) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes base32 in either case, with or without trailing `=` padding.
    /// - Returns: `nil` for a character outside the alphabet, a length no encoder produces, or
    ///   non-zero bits left over after the last whole byte.
    public static func decode(_ string: some StringProtocol) -> [UInt8]? {
        var chars = Array(string.utf8)
        while chars.last == UInt8(ascii: "=") { chars.removeLast() }
        // Lengths mod 8 of 1, 3 and 6 cannot come out of an encoder.
        guard ![1, 3, 6].contains(chars.count % 8) else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(chars.count * 5 / 8)
        var buffer: UInt32 = 0
        var bits = 0
        var invalid: UInt8 = 0
        for c in chars {
            let (value, bad) = value(of: c)
            invalid |= bad
            buffer = (buffer << 5) | UInt32(value)
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        let leftover = buffer & ((1 << UInt32(bits)) - 1)
        guard invalid == 0, leftover == 0 else { return nil }
        return out
    }

    /// `A`+v for v < 26, `2`+(v−26) otherwise, without a branch on v.
    private static func symbol(_ v: UInt8) -> UInt8 {
        let v = Int16(v)
        // mask is −1 (all ones) when v ≥ 26, else 0.
        let mask = (25 - v) >> 8
        return UInt8(truncatingIfNeeded: 65 + v + (mask & (50 - 65 - 26)))
    }

    /// The 5-bit value of a character and a non-zero flag when it is not in the alphabet.
    private static func value(of byte: UInt8) -> (UInt8, UInt8) {
        let c = Int16(byte)
        // −1 for `a`–`z` (folded to uppercase), else 0. Each range test yields −1 or 0.
        let isLower = ((96 - c) & (c - 123)) >> 15
        return classify(c - (isLower & 32))
    }

    private static func classify(_ c: Int16) -> (UInt8, UInt8) {
        // Uppercase letters: 0–25; digits 2–7: 26–31. Each range test yields −1 or 0.
        let isLetter = ((64 - c) & (c - 91)) >> 15
        let isDigit = ((49 - c) & (c - 56)) >> 15
        let value = (isLetter & (c - 65)) | (isDigit & (c - 50 + 26))
        let bad = ~(isLetter | isDigit) & 1
        return (UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: bad))
    }
}
