#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Secret text as it is typed — a password, a TOTP or recovery code — held as UTF-8 bytes in memory
/// this type zeroes, never as a `String` (Swift strings cannot be wiped).
///
/// Copies share one buffer until one of them changes (then the changing copy takes its own), and
/// every buffer is zeroed when it grows, shrinks, is wiped or is released, so no byte of the secret
/// outlives the last copy that holds it. (Each key press still passes through the event stream as one
/// `Character`; what this guards is the whole secret lying around after use.) Shown as one • per character; `description`, `debugDescription`
/// and reflection never carry the text, so it cannot reach a log or a test failure by accident.
public struct SecretInput: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private var storage = SecretStorage()

    /// An empty secret.
    public init() {}

    /// Characters typed.
    public var count: Int { storage.characters }
    /// Whether nothing is typed.
    public var isEmpty: Bool { storage.characters == 0 }
    /// One • per character.
    public var masked: String { String(repeating: "•", count: count) }

    /// Adds a typed character.
    mutating func append(_ character: Character) {
        unique()
        storage.append(character)
    }

    /// Removes the last character (Backspace).
    mutating func removeLast() {
        unique()
        storage.removeLast()
    }

    /// Forgets the text. The buffer is zeroed now when no other copy shares it; a copy handed on
    /// (the login call's) keeps it until that copy is released, and then it is zeroed.
    public mutating func wipe() {
        if isKnownUniquelyReferenced(&storage) { storage.zero() } else { storage = SecretStorage() }
    }

    /// The text as a `String`, for an API that only takes one (the GraphQL request body is a string
    /// anyway). That copy cannot be wiped: make it at the last moment and let it go at once.
    public func revealedString() -> String { storage.string() }

    public static func == (a: SecretInput, b: SecretInput) -> Bool { a.storage.equals(b.storage) }

    public var description: String { "<secret, \(count) characters>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    private mutating func unique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }
}

/// The bytes behind a `SecretInput`, in memory this class allocates itself (an array's buffer may be
/// reallocated and freed without zeroing when it grows) and zeroes with `explicit_bzero`, which the
/// optimiser may not drop.
final class SecretStorage: Sendable {
    private struct Buffer {
        var base: UnsafeMutablePointer<UInt8>
        var capacity: Int
        var count = 0
        /// Bytes per typed character, so Backspace removes a whole character.
        var lengths: [Int] = []
    }

    private let buffer: Mutex<Buffer>

    init(capacity: Int = 64) {
        let base = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        base.initialize(repeating: 0, count: capacity)
        buffer = Mutex(Buffer(base: base, capacity: capacity))
    }

    deinit {
        buffer.withLock { b in
            explicit_bzero(b.base, b.capacity)
            b.base.deallocate()
        }
    }

    var characters: Int { buffer.withLock { $0.lengths.count } }

    func append(_ character: Character) {
        let bytes = Array(character.utf8)
        buffer.withLock { b in
            if b.count + bytes.count > b.capacity {
                let capacity = max(b.capacity * 2, b.count + bytes.count)
                let base = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
                base.initialize(repeating: 0, count: capacity)
                base.update(from: b.base, count: b.count)
                explicit_bzero(b.base, b.capacity)
                b.base.deallocate()
                b.base = base
                b.capacity = capacity
            }
            (b.base + b.count).update(from: bytes, count: bytes.count)
            b.count += bytes.count
            b.lengths.append(bytes.count)
        }
    }

    func removeLast() {
        buffer.withLock { b in
            guard let last = b.lengths.popLast() else { return }
            b.count -= last
            explicit_bzero(b.base + b.count, last)
        }
    }

    func zero() {
        buffer.withLock { b in
            explicit_bzero(b.base, b.capacity)
            b.count = 0
            b.lengths = []
        }
    }

    func copy() -> SecretStorage {
        var (bytes, lengths) = exposed()
        defer { Self.zero(&bytes) }
        let other = SecretStorage(capacity: max(bytes.count, 64))
        other.buffer.withLock { o in
            o.base.update(from: bytes, count: bytes.count)
            o.count = bytes.count
            o.lengths = lengths
        }
        return other
    }

    func string() -> String {
        buffer.withLock { b in String(decoding: UnsafeBufferPointer(start: b.base, count: b.count), as: UTF8.self) }
    }

    func equals(_ other: SecretStorage) -> Bool {
        if self === other { return true }
        var mine = exposed().bytes
        var theirs = other.exposed().bytes
        defer {
            Self.zero(&mine)
            Self.zero(&theirs)
        }
        return mine == theirs
    }

    /// A copy of the bytes in an array the caller owns alone and must zero (`zero(_:)`).
    private func exposed() -> (bytes: [UInt8], lengths: [Int]) {
        buffer.withLock { b in (Array(UnsafeBufferPointer(start: b.base, count: b.count)), b.lengths) }
    }

    private static func zero(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { raw in if let p = raw.baseAddress { explicit_bzero(p, raw.count) } }
    }
}
