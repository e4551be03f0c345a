/// HKDF with HMAC-SHA256, in the two shapes this protocol uses. libsodium 1.0.18 has no HKDF, so
/// it is built from `crypto_auth_hmacsha256` as RFC 5869 and the Noise spec (§4.3) describe.
public enum HKDF {
    /// Noise's `HKDF(chaining_key, input_key_material, num_outputs)`: extract with the chaining
    /// key as salt, then expand into `outputs` (2 or 3) blocks of 32 bytes, each in secure memory.
    public static func noise(
        chainingKey: SecretBytes, inputKeyMaterial: UnsafeRawBufferPointer, outputs: Int
    ) -> [SecretBytes] {
        precondition(outputs == 2 || outputs == 3)
        return withUnsafeTemporaryAllocation(byteCount: 32, alignment: 16) { prk in
            defer { Sodium.wipe(prk) }
            chainingKey.withUnsafeBytes { ck in
                Sodium.hmacSHA256(key: ck, [inputKeyMaterial], into: prk)
            }
            return expand(prk: UnsafeRawBufferPointer(prk), info: [], blocks: outputs)
        }
    }

    /// RFC 5869 HKDF-Extract (empty salt = 32 zero bytes) followed by HKDF-Expand to `length` bytes.
    public static func deriveKey(
        salt: [UInt8], inputKeyMaterial: [UInt8], info: [UInt8], length: Int
    ) -> SecretBytes {
        precondition(length > 0 && length <= 255 * 32)
        let saltBytes = salt.isEmpty ? [UInt8](repeating: 0, count: 32) : salt
        return withUnsafeTemporaryAllocation(byteCount: 32, alignment: 16) { prk in
            defer { Sodium.wipe(prk) }
            saltBytes.withUnsafeBytes { s in
                inputKeyMaterial.withUnsafeBytes { ikm in Sodium.hmacSHA256(key: s, [ikm], into: prk) }
            }
            return expand(prk: UnsafeRawBufferPointer(prk), info: info, length: length)
        }
    }

    /// RFC 5869 HKDF-Expand from a pseudorandom key held in secure memory.
    public static func expand(prk: SecretBytes, info: [UInt8], length: Int) -> SecretBytes {
        prk.withUnsafeBytes { expand(prk: $0, info: info, length: length) }
    }

    private static func expand(prk: UnsafeRawBufferPointer, info: [UInt8], length: Int) -> SecretBytes {
        let blocks = (length + 31) / 32
        let all = expand(prk: prk, info: info, blocks: blocks)
        return SecretBytes(count: length) { out in
            for (i, block) in all.enumerated() {
                block.withUnsafeBytes { b in
                    let n = min(32, length - i * 32)
                    out.baseAddress!.advanced(by: i * 32).copyMemory(from: b.baseAddress!, byteCount: n)
                }
            }
        }
    }

    /// T(1) = HMAC(prk, info || 0x01), T(i) = HMAC(prk, T(i−1) || info || i).
    private static func expand(prk: UnsafeRawBufferPointer, info: [UInt8], blocks: Int) -> [SecretBytes] {
        var result: [SecretBytes] = []
        result.reserveCapacity(blocks)
        for i in 1...blocks {
            var counter = UInt8(i)
            let block = SecretBytes(count: 32) { out in
                info.withUnsafeBytes { infoBytes in
                    withUnsafeBytes(of: &counter) { c in
                        if let previous = result.last {
                            previous.withUnsafeBytes { p in Sodium.hmacSHA256(key: prk, [p, infoBytes, c], into: out) }
                        } else {
                            Sodium.hmacSHA256(key: prk, [infoBytes, c], into: out)
                        }
                    }
                }
            }
            result.append(block)
        }
        return result
    }
}
