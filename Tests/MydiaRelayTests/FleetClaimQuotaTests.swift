import Foundation
import MydiaCrypto
import MydiaRelay
import MydiaTestSupport
import MydiaWire
import Testing

/// `RelayLimits.maxClaims` with `--store` (PROTOCOL.md §15): each node accepts at most that many
/// live claims into the shared database, as its in-memory store would hold, and answers a full
/// quota as the in-memory store does (503 `unavailable`, "too many claims"). The quota is per node,
/// like the rate limits: one node flooded with claims does not stop pairings through another.
@Suite(.serialized, .enabled(if: TestPostgres.isInstalled, Comment(rawValue: TestPostgres.skipReason)))
struct FleetClaimQuotaTests {
    @Test func aNodeRefusesClaimsBeyondMaxClaimsAndAnotherNodeStillAccepts() async throws {
        let db = try await TestPostgres.start()
        defer { db.shutdown() }
        var limits = RelayLimits()
        limits.maxClaims = 3
        let a = try await FleetNode.start(database: db, limits: limits)
        let b = try await FleetNode.start(database: db, limits: limits)
        defer { Task { await a.stop(); await b.stop() } }

        let secrets = (0..<3).map { _ in ClaimKeys.makeDeleteSecret() }
        for (n, secret) in secrets.enumerated() {
            let posted = try await http("POST", a.origin + "/pairing/v2/claim", json: ClaimAPITests.publishBody(ClaimAPITests.lookupKey(UInt8(10 + n)), secret: secret))
            #expect(posted.status == 204)
        }
        // Full: the same answer as the in-memory store, and nothing was written.
        let over = try await http("POST", a.origin + "/pairing/v2/claim", json: ClaimAPITests.publishBody(ClaimAPITests.lookupKey(20), secret: "s"))
        #expect(over.status == 503 && over.json["error"] == "unavailable")
        #expect(over.json["message"]?.contains("too many claims") == true)
        #expect(try await http("GET", b.origin + "/pairing/v2/claim/\(ClaimAPITests.lookupKey(20))").status == 404)
        #expect(try await db.psql("SELECT count(*) FROM relay_claims").trimmingCharacters(in: .whitespacesAndNewlines) == "3")

        // A live lookup key is still a conflict (first writer wins), full or not.
        let taken = try await http("POST", a.origin + "/pairing/v2/claim", json: ClaimAPITests.publishBody(ClaimAPITests.lookupKey(10), secret: "s"))
        #expect(taken.status == 409)

        // B has a quota of its own; A's claims are found through B.
        let throughB = try await http("POST", b.origin + "/pairing/v2/claim", json: ClaimAPITests.publishBody(ClaimAPITests.lookupKey(21), secret: "s"))
        #expect(throughB.status == 204)
        #expect(try await http("GET", b.origin + "/pairing/v2/claim/\(ClaimAPITests.lookupKey(11))").status == 200)

        // A deleted claim frees its place on A (the DELETE may go through any node).
        let deleted = try await http("DELETE", b.origin + "/pairing/v2/claim/\(ClaimAPITests.lookupKey(10))", json: "{\"delete_secret\":\"\(secrets[0])\"}")
        #expect(deleted.status == 204)
        let again = try await http("POST", a.origin + "/pairing/v2/claim", json: ClaimAPITests.publishBody(ClaimAPITests.lookupKey(20), secret: "s"))
        #expect(again.status == 204)
    }

    @Test func expiredClaimsDoNotCountAgainstTheQuota() async throws {
        let db = try await TestPostgres.start()
        defer { db.shutdown() }
        var limits = RelayLimits()
        limits.maxClaims = 2
        let a = try await FleetNode.start(database: db, limits: limits)
        defer { Task { await a.stop() } }

        for n in 0..<2 {
            #expect(try await http("POST", a.origin + "/pairing/v2/claim", json: ClaimAPITests.publishBody(ClaimAPITests.lookupKey(UInt8(30 + n)), secret: "s")).status == 204)
        }
        #expect(try await http("POST", a.origin + "/pairing/v2/claim", json: ClaimAPITests.publishBody(ClaimAPITests.lookupKey(32), secret: "s")).status == 503)
        // The database's clock decides expiry: age the rows past it, as 300 s would.
        _ = try await db.psql("UPDATE relay_claims SET expires_at = now() - interval '1 second'")
        #expect(try await http("POST", a.origin + "/pairing/v2/claim", json: ClaimAPITests.publishBody(ClaimAPITests.lookupKey(32), secret: "s")).status == 204)
        // An expired row under the same key is replaced, and counts as this node's again.
        #expect(try await http("POST", a.origin + "/pairing/v2/claim", json: ClaimAPITests.publishBody(ClaimAPITests.lookupKey(30), secret: "s")).status == 204)
        #expect(try await http("POST", a.origin + "/pairing/v2/claim", json: ClaimAPITests.publishBody(ClaimAPITests.lookupKey(33), secret: "s")).status == 503)
    }
}
