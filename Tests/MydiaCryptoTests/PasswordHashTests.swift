import Testing
import MydiaCrypto

/// Argon2id password hashes (PROTOCOL.md §14.3) through libsodium.
@Suite struct PasswordHashTests {
    @Test func hashIsArgon2idAtInteractiveCostAndVerifies() throws {
        var password = Array("correct horse battery staple".utf8)
        let hash = try PasswordHash.hash(&password)
        #expect(password.allSatisfy { $0 == 0 } && password.count == 28)
        #expect(hash.hasPrefix("$argon2id$v=19$m=65536,t=2,p=1$"))
        #expect(PasswordHash.verify("correct horse battery staple", against: hash))
        #expect(!PasswordHash.verify("correct horse battery stapler", against: hash))
        #expect(!PasswordHash.verify("Correct horse battery staple", against: hash))
        var wrong = Array("nope".utf8)
        #expect(!PasswordHash.verify(&wrong, against: hash))
        #expect(wrong == [0, 0, 0, 0])
    }

    @Test func saltsDifferAndUnreadableHashesDoNotMatch() throws {
        let a = try PasswordHash.hash("pw")
        let b = try PasswordHash.hash("pw")
        #expect(a != b)
        #expect(PasswordHash.verify("pw", against: a) && PasswordHash.verify("pw", against: b))
        #expect(!PasswordHash.verify("pw", against: ""))
        #expect(!PasswordHash.verify("pw", against: "$argon2id$garbage"))
        #expect(!PasswordHash.verify("pw", against: String(repeating: "x", count: 500)))
    }

    @Test func emptyAndOverlongPasswordsAreRefused() {
        #expect(throws: PasswordHash.Error.empty) { try PasswordHash.hash("") }
        #expect(throws: PasswordHash.Error.tooLong) { try PasswordHash.hash(String(repeating: "a", count: PasswordHash.maxLength + 1)) }
        var long = [UInt8](repeating: 1, count: PasswordHash.maxLength + 1)
        #expect(throws: PasswordHash.Error.tooLong) { try PasswordHash.hash(&long) }
        #expect(long.allSatisfy { $0 == 0 })
        #expect(!PasswordHash.verify("", against: "$argon2id$v=19$m=65536,t=2,p=1$AAAA$AAAA"))
    }
}
