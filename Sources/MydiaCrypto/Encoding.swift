internal import CSodium

/// Hex and base64 codecs from libsodium (constant-time with respect to the data), so the crypto
/// core needs no Foundation.
public enum Encoding {
    /// Lowercase hex.
    public static func hex(_ bytes: some Collection<UInt8>) -> String {
        let a = Array(bytes)
        let table = Array("0123456789abcdef".utf8)
        var out = [UInt8](); out.reserveCapacity(a.count * 2)
        for b in a { out.append(table[Int(b >> 4)]); out.append(table[Int(b & 0x0f)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes hex (either case). `nil` for odd length or a non-hex character.
    public static func fromHex(_ string: some StringProtocol) -> [UInt8]? {
        let chars = Array(string.utf8)
        guard chars.count % 2 == 0 else { return nil }
        if chars.isEmpty { return [] }
        _ = Sodium.ready
        var out = [UInt8](repeating: 0, count: chars.count / 2)
        var written = 0
        let rc = chars.withUnsafeBufferPointer { c in
            out.withUnsafeMutableBufferPointer { o in
                c.withMemoryRebound(to: CChar.self) { cc in
                    sodium_hex2bin(o.baseAddress!, o.count, cc.baseAddress!, cc.count, nil, &written, nil)
                }
            }
        }
        guard rc == 0, written == out.count else { return nil }
        return out
    }

    /// Standard base64 with padding (`b64` in PROTOCOL.md).
    public static func base64(_ bytes: some Collection<UInt8>) -> String {
        encode(Array(bytes), variant: sodium_base64_VARIANT_ORIGINAL)
    }

    /// URL-safe base64 without padding (`b64url` in PROTOCOL.md).
    public static func base64URL(_ bytes: some Collection<UInt8>) -> String {
        encode(Array(bytes), variant: sodium_base64_VARIANT_URLSAFE_NO_PADDING)
    }

    /// Decodes standard base64 with padding. `nil` if the text is not exactly that.
    public static func fromBase64(_ string: some StringProtocol) -> [UInt8]? {
        decode(Array(string.utf8), variant: sodium_base64_VARIANT_ORIGINAL)
    }

    /// Decodes URL-safe base64; padding is tolerated. `nil` on any other character.
    public static func fromBase64URL(_ string: some StringProtocol) -> [UInt8]? {
        let chars = Array(string.utf8)
        return decode(chars, variant: sodium_base64_VARIANT_URLSAFE_NO_PADDING)
            ?? decode(chars, variant: sodium_base64_VARIANT_URLSAFE)
    }

    private static func encode(_ bytes: [UInt8], variant: Int32) -> String {
        _ = Sodium.ready
        let len = sodium_base64_encoded_len(bytes.count, variant)
        var out = [CChar](repeating: 0, count: len)
        bytes.withUnsafeBufferPointer { b in
            _ = sodium_bin2base64(&out, len, b.baseAddress, b.count, variant)
        }
        return String(decoding: out.prefix(len - 1).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func decode(_ chars: [UInt8], variant: Int32) -> [UInt8]? {
        _ = Sodium.ready
        var out = [UInt8](repeating: 0, count: chars.count * 3 / 4 + 3)
        var written = 0
        var end: UnsafePointer<CChar>? = nil
        let rc = chars.withUnsafeBufferPointer { c in
            c.withMemoryRebound(to: CChar.self) { cc in
                sodium_base642bin(&out, out.count, cc.baseAddress, cc.count, nil, &written, &end, variant)
            }
        }
        guard rc == 0 else { return nil }
        // libsodium stops at the first invalid character when `end` is given; insist on consuming all.
        let consumed = chars.withUnsafeBufferPointer { c in
            c.withMemoryRebound(to: CChar.self) { cc in end.map { cc.baseAddress!.distance(to: $0) } ?? -1 }
        }
        guard consumed == chars.count else { return nil }
        return Array(out.prefix(written))
    }
}
