import Foundation
import MydiaCrypto
import MydiaServer
import MydiaWire
import Synchronization
import Testing

/// The claim state machine with a recording publisher and a settable clock. (The real relay's
/// claim API is exercised end to end in the pairing tests.)
@Suite struct ClaimBookTests {
    final class Recorder: ClaimPublisher {
        let published = Mutex<[(lookup: String, sealed: String, owner: String)]>([])
        let withdrawn = Mutex<[(lookup: String, secret: String)]>([])
        let conflictsLeft = Mutex(0)
        func publish(lookupHex: String, sealed: String, owner: String) async throws -> Bool {
            if conflictsLeft.withLock({ n in defer { n = max(0, n - 1) }; return n > 0 }) { return false }
            published.withLock { $0.append((lookupHex, sealed, owner)) }
            return true
        }
        func withdraw(lookupHex: String, deleteSecret: String) async { withdrawn.withLock { $0.append((lookupHex, deleteSecret)) } }
    }

    final class Clock: Sendable {
        let t = Mutex(Date(timeIntervalSince1970: 1_900_000_000))
        var now: Date { t.withLock { $0 } }
        func advance(_ s: TimeInterval) { t.withLock { $0 += s } }
    }

    let key = X25519KeyPair.generate().publicKey
    func book(_ r: Recorder, _ c: Clock) -> ClaimBook {
        ClaimBook(instanceID: "3c9d8e7f-1a2b-4c3d-8e9f-0a1b2c3d4e5f", instanceName: "Wohnzimmer", publicKey: key,
                  publisher: r, now: { c.now })
    }

    func settle() async { try? await Task.sleep(for: .milliseconds(50)) }

    @Test func issuedClaimOpensWithItsCodeAndNamesTheInstance() async throws {
        let r = Recorder(), c = Clock()
        let claim = try await book(r, c).issue()
        #expect(claim.expiresAt == c.now.addingTimeInterval(300))
        let p = try #require(r.published.withLock { $0.first })
        let keys = SealedClaim.Keys(code: claim.code)
        #expect(p.lookup == keys.lookupHex)
        let payload = try ClaimPayload(decoding: try SealedClaim.open(p.sealed, keys: keys), now: c.now)
        #expect(payload.publicKey == key && payload.instanceName == "Wohnzimmer" && payload.expiresAt == claim.expiresAt)
        #expect(p.owner.count == 64)
    }

    @Test func aCodeIsSingleUseAndWithdrawnWithTheOwnerSecret() async throws {
        let r = Recorder(), c = Clock(), b = book(r, c)
        let claim = try await b.issue()
        #expect(await b.check(claim.code.value) == nil)
        #expect(await b.consume("\(claim.code)") == nil)  // the spaced display form normalises
        #expect(await b.consume(claim.code.value) == .claimUsed)
        #expect(await b.check(claim.code.value) == .claimUsed)
        await settle()
        #expect(r.withdrawn.withLock { $0.isEmpty })  // not before the device row is written
        await b.completed(claim.code.value)
        await settle()
        let w = try #require(r.withdrawn.withLock { $0.first })
        let owner = try #require(r.published.withLock { $0.first?.owner })
        #expect(Encoding.hex(SHA256.hash(Array(w.secret.utf8))) == owner)
    }

    /// Pairing is one transaction: when the device row cannot be written the claim is released,
    /// live and still on the relay, and the same code pairs on the next try (issue 18).
    @Test func aClaimWhoseDeviceRowFailedIsLiveAgain() async throws {
        let r = Recorder(), c = Clock(), b = book(r, c)
        let claim = try await b.issue()
        #expect(await b.consume(claim.code.value) == nil)
        await b.release(claim.code.value)
        #expect(await b.check(claim.code.value) == nil)
        await settle()
        #expect(r.withdrawn.withLock { $0.isEmpty })
        #expect(await b.consume(claim.code.value) == nil)
        await b.completed(claim.code.value)
        #expect(await b.check(claim.code.value) == .claimUsed)
    }

    @Test func expiredCodesSayExpiredNotInvalid() async throws {
        let r = Recorder(), c = Clock(), b = book(r, c)
        let claim = try await b.issue()
        c.advance(301)
        #expect(await b.check(claim.code.value) == .claimExpired)
        #expect(await b.consume(claim.code.value) == .claimExpired)
        #expect(await b.liveClaims.isEmpty)
    }

    @Test func tenWrongGuessesBurnTheLiveClaim() async throws {
        let r = Recorder(), c = Clock(), b = book(r, c)
        let claim = try await b.issue()
        let wrong = claim.code.value == "000000" ? "000001" : "000000"
        for _ in 0..<9 { #expect(await b.check(wrong) == .claimInvalid) }
        #expect(await b.check(claim.code.value) == nil)
        #expect(await b.check("garbage") == .claimInvalid)  // the tenth failure
        #expect(await b.check(claim.code.value) == .rateLimited)
        #expect(await b.consume(claim.code.value) == .rateLimited)
        await settle()
        #expect(r.withdrawn.withLock { $0.count } == 1)
    }

    @Test func aTakenLookupKeyMeansAnotherCode() async throws {
        let r = Recorder(), c = Clock(), b = book(r, c)
        r.conflictsLeft.withLock { $0 = 2 }
        _ = try await b.issue()
        #expect(r.published.withLock { $0.count } == 1)
        r.conflictsLeft.withLock { $0 = 5 }
        await #expect(throws: ClaimBook.Error.self) { try await b.issue() }
    }
}
