/// A pairing claim code (PROTOCOL.md §3.1): 6 decimal digits issued by mydia-server, or the
/// 6-character codes stock Mydia issues.
public struct ClaimCode: Sendable, Equatable, CustomStringConvertible {
    /// Why typed text is not a claim code.
    public enum Error: Swift.Error, Equatable, Sendable, CustomStringConvertible {
        case invalid

        public var description: String {
            "A claim code is 6 digits (or 6 letters and digits from a Mydia server) — check the code the server shows."
        }
    }

    /// Stock Mydia's alphabet: no 0/O, 1/I/L.
    public static let mydiaAlphabet = Set("ABCDEFGHJKMNPQRSTUVWXYZ23456789")

    /// The normalised code: no spaces or dashes, uppercase.
    public let value: String

    /// Normalises what a person typed: strips whitespace and `-`, uppercases, then accepts
    /// 6 digits or 6 characters of `mydiaAlphabet`.
    public init(_ typed: String) throws(Error) {
        let kept = typed.filter { !$0.isWhitespace && $0 != "-" }.uppercased()
        let chars = Array(kept)
        guard chars.count == 6,
              chars.allSatisfy({ $0.isASCII && $0.isNumber }) || chars.allSatisfy({ Self.mydiaAlphabet.contains($0) })
        else { throw .invalid }
        value = kept
    }

    /// A fresh code: 6 uniform decimal digits from the CSPRNG (the instance's side).
    public static func generate() -> ClaimCode {
        let n = Sodium.uniform(1_000_000)
        let digits = String(n)
        // Cannot fail: always 6 ASCII digits.
        return try! ClaimCode(String(repeating: "0", count: 6 - digits.count) + digits)
    }

    /// Shown as `123 456` / `K7R PM2` for readability.
    public var description: String { "\(value.prefix(3)) \(value.suffix(3))" }
}
