import Foundation
import MydiaCrypto
import MydiaLibrary
import Testing

/// TOTP (RFC 6238, SHA-1, 30 s, 6 digits, ±1 step) as PROTOCOL.md §14.3 asks for.
@Suite struct TOTPTests {
    struct Vector: Decodable {
        var time: Int64
        var step: String
        var totp: String
    }

    struct VectorFile: Decodable {
        var secret_ascii: String
        var period: Int64
        var digits: Int
        var vectors: [Vector]
    }

    let file: VectorFile
    init() throws {
        let url = try #require(Bundle.module.url(forResource: "totp-rfc6238-sha1", withExtension: "json", subdirectory: "Fixtures")
            ?? Bundle.module.url(forResource: "Fixtures/totp-rfc6238-sha1", withExtension: "json"))
        file = try JSONDecoder().decode(VectorFile.self, from: Data(contentsOf: url))
    }

    var totp: TOTP { TOTP(secret: Array(file.secret_ascii.utf8)) }

    @Test func rfc6238AppendixBSHA1VectorsWithEightAndSixDigits() throws {
        #expect(file.vectors.count == 6)
        #expect(file.period == TOTP.period)
        for v in file.vectors {
            let date = Date(timeIntervalSince1970: TimeInterval(v.time))
            #expect(TOTP.step(at: date) == Int64(v.step, radix: 16))
            #expect(totp.code(at: date, digits: file.digits) == v.totp, "T=\(v.time)")
            // 6 digits are the last 6 of the 8 (the truncated value mod 10^6).
            #expect(totp.code(at: date) == String(v.totp.suffix(6)), "T=\(v.time)")
        }
    }

    @Test func acceptsTheStepBeforeAndAfterButNotTwoAway() throws {
        let date = Date(timeIntervalSince1970: 1_111_111_111)
        let now = try #require(TOTP.step(at: date))
        #expect(totp.matchingStep(totp.code(step: now), at: date) == now)
        #expect(totp.matchingStep(totp.code(step: now - 1), at: date) == now - 1)
        #expect(totp.matchingStep(totp.code(step: now + 1), at: date) == now + 1)
        for far in [now - 2, now + 2, now - 100] where ![now - 1, now, now + 1].map({ totp.code(step: $0) }).contains(totp.code(step: far)) {
            #expect(totp.matchingStep(totp.code(step: far), at: date) == nil)
        }
    }

    @Test func refusesWrongAndMalformedCodes() throws {
        let date = Date(timeIntervalSince1970: 1_234_567_890)
        let right = try #require(totp.code(at: date))
        let wrong = String(right.dropLast()) + (right.last == "0" ? "1" : "0")
        #expect(totp.matchingStep(wrong, at: date) == nil)
        #expect(totp.matchingStep("", at: date) == nil)
        #expect(totp.matchingStep(right + "0", at: date) == nil)
        #expect(totp.matchingStep(String(right.dropFirst()), at: date) == nil)
        #expect(totp.matchingStep(right, at: Date(timeIntervalSince1970: -1)) == nil)
        #expect(TOTP(secret: Array("another secret 12345".utf8)).matchingStep(right, at: date) == nil)
    }

    @Test func otpauthURICarriesTheBase32SecretAndParameters() throws {
        let secret = TOTP.generate()
        #expect(secret.secret.count == 20)
        #expect(Base32.decode(secret.base32Secret) == secret.secret)
        #expect(secret.uri(accountName: "alice") ==
            "otpauth://totp/Mydia:alice?secret=\(secret.base32Secret)&issuer=Mydia&algorithm=SHA1&digits=6&period=30")
        #expect(TOTP(secret: Array("12345678901234567890".utf8)).base32Secret == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        #expect(secret.uri(accountName: "a b/c").hasPrefix("otpauth://totp/Mydia:a%20b%2Fc?secret="))
        #expect(TOTP.generate().secret != secret.secret)
    }
}
