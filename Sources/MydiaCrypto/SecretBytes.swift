internal import CSodium

/// A fixed-size secret held in `sodium_malloc`ed memory: guard pages around it, locked out of swap
/// where the OS allows, and zeroed by `sodium_free` when the last reference goes away.
///
/// The contents are written once, while the value is being created, and are read-only afterwards;
/// that is what makes the `@unchecked Sendable` sound.
public final class SecretBytes: @unchecked Sendable {
    private let base: UnsafeMutableRawPointer
    /// Number of secret bytes.
    public let count: Int

    /// Allocates `count` bytes and lets `initialize` write them.
    /// - Parameter initialize: receives the whole buffer; whatever it leaves there is the secret.
    public init(count: Int, initialize: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        _ = Sodium.ready
        precondition(count > 0, "SecretBytes needs at least one byte")
        guard let p = sodium_malloc(count) else { fatalError("sodium_malloc(\(count)) failed: out of memory") }
        base = p
        self.count = count
        sodium_memzero(p, count)
        do {
            try initialize(UnsafeMutableRawBufferPointer(start: p, count: count))
        } catch {
            sodium_free(p)
            throw error
        }
    }

    /// Copies `bytes` into secure memory. The caller should wipe its own copy.
    public convenience init(copying bytes: some Collection<UInt8>) {
        let array = Array(bytes)
        self.init(count: array.count) { buf in buf.copyBytes(from: array) }
    }

    /// Fresh random bytes from the system CSPRNG.
    public static func random(count: Int) -> SecretBytes {
        SecretBytes(count: count) { buf in randombytes_buf(buf.baseAddress!, count) }
    }

    deinit { sodium_free(base) }

    /// Read access to the secret for the duration of `body`. Do not let the pointer escape.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Constant-time equality with another secret (or with public bytes of the same length).
    public func constantTimeEquals(_ other: some Collection<UInt8>) -> Bool {
        let o = Array(other)
        guard o.count == count else { return false }
        return o.withUnsafeBytes { sodium_memcmp(base, $0.baseAddress!, count) == 0 }
    }

    /// Constant-time equality of two secrets.
    public func constantTimeEquals(_ other: SecretBytes) -> Bool {
        guard other.count == count else { return false }
        return sodium_memcmp(base, other.base, count) == 0
    }

    /// A copy of the secret as an ordinary array, for handing to code outside this module (for
    /// example a credentials file). Prefer keeping the `SecretBytes`; wipe the copy when done.
    public func exposedCopy() -> [UInt8] { withUnsafeBytes { Array($0) } }
}
