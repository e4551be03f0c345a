import Crypto
public import Foundation
import MydiaCrypto

/// Time-based one-time passwords of RFC 6238 as authenticator apps make them (PROTOCOL.md §14.3):
/// HMAC-SHA1, 30-second steps counted from the Unix epoch, 6 digits, and a code accepted one step
/// early or late for clocks that drift.
///
/// SHA-1 is what every authenticator app computes; HMAC-SHA1 has no known weakness that matters
/// here. It comes from swift-crypto because libsodium has no SHA-1.
public struct TOTP: Sendable {
    /// Length of one step, in seconds.
    public static let period: Int64 = 30
    /// Digits of a code.
    public static let digits = 6
    /// Steps accepted before and after the current one.
    public static let window: Int64 = 1
    /// Bytes of a fresh secret (160 bits, RFC 4226 §4's recommendation).
    public static let secretLength = 20

    /// The shared secret.
    public let secret: [UInt8]

    /// - Parameter secret: the shared key (RFC 4226 asks for at least 16 bytes; not checked here so
    ///   the RFC's own vectors work).
    public init(secret: [UInt8]) {
        self.secret = secret
    }

    /// A new random secret of ``secretLength`` bytes.
    public static func generate() -> TOTP {
        TOTP(secret: SecretBytes.random(count: secretLength).exposedCopy())
    }

    /// The secret as authenticator apps type it: base32 without padding.
    public var base32Secret: String { Base32.encode(secret) }

    /// The step a moment falls in: ⌊unix time / 30⌋, or `nil` before the epoch.
    public static func step(at date: Date) -> Int64? {
        let seconds = date.timeIntervalSince1970
        guard seconds >= 0, seconds < Double(Int64.max) else { return nil }
        return Int64(seconds) / period
    }

    /// The code for step `counter` (RFC 4226 §5.3 dynamic truncation), zero-padded to `digits`.
    public func code(step counter: Int64, digits: Int = TOTP.digits) -> String {
        var message = [UInt8](repeating: 0, count: 8)
        for i in 0..<8 { message[i] = UInt8(truncatingIfNeeded: UInt64(bitPattern: counter) >> UInt64(56 - 8 * i)) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let binary = (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16)
            | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<min(max(digits, 1), 9) { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: max(0, digits - value.count)) + value
    }

    /// The code for the moment `date` (`nil` before the epoch).
    public func code(at date: Date, digits: Int = TOTP.digits) -> String? {
        Self.step(at: date).map { code(step: $0, digits: digits) }
    }

    /// The step whose code `candidate` is, among the current step ±``window``, or `nil`.
    ///
    /// Every candidate step is computed and compared in constant time, whatever matched first;
    /// the caller keeps the step so the same code is not accepted twice (RFC 6238 §5.2).
    public func matchingStep(_ candidate: String, at date: Date) -> Int64? {
        guard let now = Self.step(at: date) else { return nil }
        let given = Array(candidate.utf8)
        var found: Int64?
        for step in (now - Self.window)...(now + Self.window) where step >= 0 {
            if ConstantTime.equals(given, Array(code(step: step).utf8)), found == nil { found = step }
        }
        return found
    }

    /// The `otpauth://` URI an authenticator app scans (Google Authenticator's key URI format):
    /// `otpauth://totp/Mydia:NAME?secret=…&issuer=Mydia&algorithm=SHA1&digits=6&period=30`.
    public func uri(accountName: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~@")
        let name = accountName.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        return "otpauth://totp/Mydia:\(name)?secret=\(base32Secret)&issuer=Mydia&algorithm=SHA1&digits=\(Self.digits)&period=\(Self.period)"
    }
}
