import Foundation
import MydiaCrypto
import MydiaRelay
import MydiaTestSupport
import MydiaWire
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP exchange with the relay over real loopback.
struct HTTPReply {
    let status: Int
    let headers: [String: String]
    let body: Data

    var json: [String: String] { (try? JSONDecoder().decode([String: String].self, from: body)) ?? [:] }
}

func http(_ method: String, _ url: String, json: String? = nil, rawBody: Data? = nil) async throws -> HTTPReply {
    var request = URLRequest(url: URL(string: url)!)
    request.httpMethod = method
    request.timeoutInterval = 10
    if let body = rawBody ?? json.map({ Data($0.utf8) }) {
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "content-type")
    }
    let (data, response) = try await URLSession.shared.data(for: request)
    let http = response as! HTTPURLResponse
    var headers: [String: String] = [:]
    for (k, v) in http.allHeaderFields { headers[String(describing: k).lowercased()] = String(describing: v) }
    return HTTPReply(status: http.statusCode, headers: headers, body: data)
}

@Suite struct ClaimAPITests {
    static func lookupKey(_ seed: UInt8) -> String { Encoding.hex(SHA256.hash([seed])) }

    static func publishBody(_ key: String, sealed: String = "c2VhbGVkLWNsYWlt", secret: String) -> String {
        let body = ClaimPublishRequest(lookupKey: key, sealed: sealed, owner: ClaimKeys.owner(forDeleteSecret: secret))
        return String(decoding: try! JSONEncoder().encode(body), as: UTF8.self)
    }

    @Test func publishLookupConflictAndDelete() async throws {
        let relay = try await RelayHarness.start()
        defer { Task { await relay.stop() } }
        let key = Self.lookupKey(1)
        let secret = ClaimKeys.makeDeleteSecret()
        let url = relay.origin + "/pairing/v2/claim"

        #expect(try await http("GET", url + "/" + key).status == 404)
        #expect(try await http("POST", url, json: Self.publishBody(key, secret: secret)).status == 204)
        let got = try await http("GET", url + "/" + key)
        #expect(got.status == 200)
        #expect(try JSONDecoder().decode(ClaimLookupResponse.self, from: got.body).sealed == "c2VhbGVkLWNsYWlt")

        // First writer wins.
        let again = try await http("POST", url, json: Self.publishBody(key, sealed: "b3RoZXI", secret: "x"))
        #expect(again.status == 409 && again.json["error"] == "conflict")
        #expect(try JSONDecoder().decode(ClaimLookupResponse.self, from: try await http("GET", url + "/" + key).body).sealed == "c2VhbGVkLWNsYWlt")

        let wrong = try await http("DELETE", url + "/" + key, json: #"{"delete_secret":"not-the-secret"}"#)
        #expect(wrong.status == 403 && wrong.json["error"] == "forbidden")
        #expect(try await http("GET", url + "/" + key).status == 200)
        let right = try await http("DELETE", url + "/" + key, json: String(decoding: try JSONEncoder().encode(ClaimDeleteRequest(deleteSecret: secret)), as: UTF8.self))
        #expect(right.status == 204)
        let gone = try await http("GET", url + "/" + key)
        #expect(gone.status == 404 && gone.json["error"] == "not_found" && !(gone.json["message"] ?? "").isEmpty)
    }

    @Test func malformedKeysAndBodiesAreBadRequests() async throws {
        let relay = try await RelayHarness.start()
        defer { Task { await relay.stop() } }
        let url = relay.origin + "/pairing/v2/claim"
        let upper = Self.lookupKey(2).uppercased()
        #expect(try await http("GET", url + "/" + upper).status == 400)
        #expect(try await http("GET", url + "/abc").status == 400)
        #expect(try await http("POST", url, json: Self.publishBody(upper, secret: "s")).status == 400)
        #expect(try await http("POST", url, json: "not json").status == 400)
        #expect(try await http("POST", url, json: #"{"lookup_key":"\#(Self.lookupKey(3))","sealed":"abc"}"#).status == 400)
        let huge = Self.publishBody(Self.lookupKey(4), sealed: String(repeating: "A", count: 9000), secret: "s")
        let tooBig = try await http("POST", url, json: huge)
        #expect(tooBig.status == 400 && tooBig.json["error"] == "bad_request")
        #expect(try await http("DELETE", url + "/" + Self.lookupKey(5), json: "{}").status == 400)
    }

    @Test func claimsExpire() async throws {
        let clock = ManualClock()
        let relay = try await RelayHarness.start(clock: clock.relayClock)
        defer { Task { await relay.stop() } }
        let url = relay.origin + "/pairing/v2/claim"
        let key = Self.lookupKey(6)
        #expect(try await http("POST", url, json: Self.publishBody(key, secret: "s")).status == 204)
        clock.advance(by: .seconds(299))
        #expect(try await http("GET", url + "/" + key).status == 200)
        clock.advance(by: .seconds(2))
        #expect(try await http("GET", url + "/" + key).status == 404)
        // An expired key can be published again.
        #expect(try await http("POST", url, json: Self.publishBody(key, secret: "t")).status == 204)
    }

    @Test func eachRouteHasItsOwnRateLimitWithRetryAfter() async throws {
        let relay = try await RelayHarness.start()
        defer { Task { await relay.stop() } }
        let url = relay.origin + "/pairing/v2/claim"
        for i in 0..<10 {
            #expect(try await http("POST", url, json: Self.publishBody(Self.lookupKey(UInt8(10 + i)), secret: "s")).status == 204)
        }
        let post = try await http("POST", url, json: Self.publishBody(Self.lookupKey(99), secret: "s"))
        #expect(post.status == 429 && post.json["error"] == "rate_limited")
        #expect(Int(post.headers["retry-after"] ?? "") ?? 0 >= 1)

        // GET has its own budget of 30 (POSTs did not use it up).
        for _ in 0..<30 { #expect(try await http("GET", url + "/" + Self.lookupKey(10)).status == 200) }
        let get = try await http("GET", url + "/" + Self.lookupKey(10))
        #expect(get.status == 429 && Int(get.headers["retry-after"] ?? "") != nil)

        for _ in 0..<30 {
            #expect(try await http("DELETE", url + "/" + Self.lookupKey(11), json: #"{"delete_secret":"wrong"}"#).status == 403)
        }
        let delete = try await http("DELETE", url + "/" + Self.lookupKey(11), json: #"{"delete_secret":"wrong"}"#)
        #expect(delete.status == 429 && delete.headers["retry-after"] != nil)
    }

    @Test func globalGetMissBudgetStopsGuessing() async throws {
        var limits = RelayLimits()
        limits.claimGetMissesPerMinute = 3
        let relay = try await RelayHarness.start(limits: limits)
        defer { Task { await relay.stop() } }
        let url = relay.origin + "/pairing/v2/claim/"
        for i in 0..<3 { #expect(try await http("GET", url + Self.lookupKey(UInt8(50 + i))).status == 404) }
        let limited = try await http("GET", url + Self.lookupKey(60))
        #expect(limited.status == 429 && limited.headers["retry-after"] != nil)
    }
}
