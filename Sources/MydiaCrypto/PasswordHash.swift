internal import CSodium

/// Password hashing for local users (PROTOCOL.md §14.3): Argon2id through libsodium's
/// `crypto_pwhash_str_alg`, whose output string carries the salt and the cost, so a hash made
/// with one cost still verifies after the default changes.
///
/// Swift strings cannot be wiped, so the calls that matter take the password as a byte array and
/// zero it before returning; the `String` forms are for passwords that already live in a string
/// (a decoded GraphQL request) and wipe the copy they make.
public enum PasswordHash {
    /// How much work one hash costs.
    public struct Cost: Sendable, Equatable {
        /// Argon2id passes over memory.
        public var operations: Int
        /// Memory used, in bytes.
        public var memoryBytes: Int

        /// - Parameters:
        ///   - operations: passes over memory (at least 1).
        ///   - memoryBytes: memory in bytes (at least 8 KiB).
        public init(operations: Int, memoryBytes: Int) {
            self.operations = operations
            self.memoryBytes = memoryBytes
        }

        /// libsodium's interactive limits (2 passes over 64 MiB): a fraction of a second per login.
        public static let interactive = Cost(operations: Int(crypto_pwhash_opslimit_interactive()),
                                             memoryBytes: Int(crypto_pwhash_memlimit_interactive()))
    }

    /// Why a password could not be hashed.
    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        /// The password is empty.
        case empty
        /// The password is longer than ``maxLength`` bytes.
        case tooLong
        /// libsodium could not allocate the memory the cost asks for.
        case outOfMemory

        /// One plain sentence.
        public var description: String {
            switch self {
            case .empty: "The password must not be empty."
            case .tooLong: "The password is longer than \(PasswordHash.maxLength) bytes — choose a shorter one."
            case .outOfMemory: "There is not enough memory to hash the password."
            }
        }
    }

    /// Longest password accepted, in UTF-8 bytes: enough for any passphrase, and a bound on the
    /// work an anonymous login can ask for.
    public static let maxLength = 1024

    /// Hashes `password` with Argon2id and a fresh random salt, then zeroes `password`.
    /// - Returns: the encoded hash, `$argon2id$v=19$m=…,t=…,p=1$salt$hash`.
    public static func hash(_ password: inout [UInt8], cost: Cost = .interactive) throws(Error) -> String {
        defer { Sodium.wipe(&password) }
        guard !password.isEmpty else { throw .empty }
        guard password.count <= maxLength else { throw .tooLong }
        _ = Sodium.ready
        var out = [CChar](repeating: 0, count: crypto_pwhash_strbytes())
        let rc = password.withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { chars -> Int32 in
                guard let base = chars.baseAddress else { return -1 }
                return crypto_pwhash_str_alg(&out, base, UInt64(chars.count), UInt64(cost.operations),
                                             cost.memoryBytes, crypto_pwhash_alg_argon2id13())
            }
        }
        guard rc == 0 else { throw .outOfMemory }
        return String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Hashes a password held in a string (its copy in bytes is wiped).
    public static func hash(_ password: String, cost: Cost = .interactive) throws(Error) -> String {
        var bytes = Array(password.utf8)
        return try hash(&bytes, cost: cost)
    }

    /// `true` iff `password` matches `encoded`; zeroes `password` either way. An unreadable hash,
    /// an empty or over-long password simply do not match.
    public static func verify(_ password: inout [UInt8], against encoded: String) -> Bool {
        defer { Sodium.wipe(&password) }
        guard !password.isEmpty, password.count <= maxLength else { return false }
        var hash = Array(encoded.utf8.prefix(crypto_pwhash_strbytes() - 1)).map { CChar(bitPattern: $0) }
        hash.append(0)
        _ = Sodium.ready
        return password.withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { chars in
                guard let base = chars.baseAddress else { return false }
                return crypto_pwhash_str_verify(hash, base, UInt64(chars.count)) == 0
            }
        }
    }

    /// Zeroes a password the caller will not hash after all (the optimiser cannot skip it).
    public static func wipe(_ password: inout [UInt8]) {
        Sodium.wipe(&password)
    }

    /// Checks a password held in a string (its copy in bytes is wiped).
    public static func verify(_ password: String, against encoded: String) -> Bool {
        var bytes = Array(password.utf8)
        return verify(&bytes, against: encoded)
    }
}
