import Foundation
import GRDB
import MydiaLibrary
import Testing

@Suite struct GraphQLServiceTests {
    @Test func moviesPaginateWithOpaqueCursors() async throws {
        let f = try await Fixture.make()
        let (_, bearer, _) = try await f.pairedDevice()
        let query = "query($first: Int, $after: String) { movies(first: $first, after: $after) { totalCount edges { cursor node { id title year } } pageInfo { hasNextPage endCursor } } }"
        let page1 = try await f.graphQL(query, variables: ["first": 2], bearer: bearer)
        #expect(page1.status == 200)
        #expect(dig(page1.json, "data", "movies", "totalCount") as? Int == 3)
        #expect((dig(page1.json, "data", "movies", "edges") as? [Any])?.count == 2)
        #expect(dig(page1.json, "data", "movies", "edges", 0, "node", "title") as? String == "Amélie à Paris")
        #expect(dig(page1.json, "data", "movies", "pageInfo", "hasNextPage") as? Bool == true)
        let cursor = try #require(dig(page1.json, "data", "movies", "pageInfo", "endCursor") as? String)
        #expect(!cursor.contains("Big"))  // opaque

        let page2 = try await f.graphQL(query, variables: ["first": 2, "after": cursor], bearer: bearer)
        #expect((dig(page2.json, "data", "movies", "edges") as? [Any])?.count == 1)
        #expect(dig(page2.json, "data", "movies", "edges", 0, "node", "title") as? String == "東京物語")
        #expect(dig(page2.json, "data", "movies", "pageInfo", "hasNextPage") as? Bool == false)

        let bad = try await f.graphQL(query, variables: ["after": "not-a-cursor"], bearer: bearer)
        #expect(bad.status == 200)
        #expect((bad.json["errors"] as? [Any])?.isEmpty == false)
        #expect(dig(bad.json, "data", "movies") == nil)
    }

    @Test func firstDefaultsToFiftyAndIsCappedAtOneHundred() async throws {
        let f = try await Fixture.make(scan: false)
        try await f.database.queue.write { db in
            for i in 0..<130 {
                try db.execute(sql: "INSERT INTO movies (id, title, added_at) VALUES (?, ?, 0)",
                               arguments: [String(format: "m%03d", i), String(format: "Movie %03d", i)])
            }
        }
        let (_, bearer, _) = try await f.pairedDevice()
        let plain = try await f.graphQL("{ movies { totalCount edges { node { id } } } }", bearer: bearer)
        #expect((dig(plain.json, "data", "movies", "edges") as? [Any])?.count == 50)
        #expect(dig(plain.json, "data", "movies", "totalCount") as? Int == 130)
        let big = try await f.graphQL("{ movies(first: 1000) { edges { node { id } } pageInfo { hasNextPage } } }", bearer: bearer)
        #expect((dig(big.json, "data", "movies", "edges") as? [Any])?.count == 100)
        #expect(dig(big.json, "data", "movies", "pageInfo", "hasNextPage") as? Bool == true)
    }

    @Test func searchIsCaseAndAccentInsensitiveAndHandlesCJK() async throws {
        let f = try await Fixture.make()
        let (_, bearer, _) = try await f.pairedDevice()
        let query = "query($q: String!) { search(query: $q) { totalCount sections { type totalCount results { id type title year subtitle seasonNumber episodeNumber parentId } } } }"
        let amelie = try await f.graphQL(query, variables: ["q": "AMELIE a paris"], bearer: bearer)
        #expect(dig(amelie.json, "data", "search", "totalCount") as? Int == 1)
        #expect(dig(amelie.json, "data", "search", "sections", 0, "type") as? String == "MOVIE")
        #expect(dig(amelie.json, "data", "search", "sections", 0, "results", 0, "title") as? String == "Amélie à Paris")
        #expect(dig(amelie.json, "data", "search", "sections", 0, "results", 0, "year") as? Int == 2001)

        let tokyo = try await f.graphQL(query, variables: ["q": "東京"], bearer: bearer)
        #expect(dig(tokyo.json, "data", "search", "sections", 0, "results", 0, "title") as? String == "東京物語")

        let pilot = try await f.graphQL(query, variables: ["q": "pilot"], bearer: bearer)
        #expect(dig(pilot.json, "data", "search", "sections", 0, "type") as? String == "EPISODE")
        let show = try #require(try await f.library.shows().first)
        #expect(dig(pilot.json, "data", "search", "sections", 0, "results", 0, "parentId") as? String == show.id)
        #expect(dig(pilot.json, "data", "search", "sections", 0, "results", 0, "seasonNumber") as? Int == 1)

        let none = try await f.graphQL(query, variables: ["q": "zzz"], bearer: bearer)
        #expect(dig(none.json, "data", "search", "totalCount") as? Int == 0)
        #expect((dig(none.json, "data", "search", "sections") as? [Any])?.isEmpty == true)
    }

    @Test func bearerIsRequiredExceptForBearerFreeOperations() async throws {
        let f = try await Fixture.make(scan: false)
        let (device, bearer, deviceToken) = try await f.pairedDevice()

        let missing = try await f.graphQL("{ movies { totalCount } }", bearer: nil)
        #expect(missing.status == 401)
        #expect(missing.json["error"] as? String == "unauthorized")
        #expect(missing.json["message"] is String)
        #expect(try await f.graphQL("{ movies { totalCount } }", bearer: "bogus").status == 401)
        // A bearer-free field does not make a mixed operation bearer-free.
        #expect(try await f.graphQL("{ serverCompatibility { version } movies { totalCount } }", bearer: nil).status == 401)
        // Hidden behind a fragment it is still seen.
        #expect(try await f.graphQL("query { ...F } fragment F on Query { devices { id } }", bearer: nil).status == 401)

        for token in [nil, "bogus"] as [String?] {
            let compat = try await f.graphQL("{ __typename serverCompatibility { version minPlayerVersion } }", bearer: token)
            #expect(compat.status == 200)
            #expect(dig(compat.json, "data", "serverCompatibility", "version") as? String == "1.0.0")
        }
        let refresh = try await f.graphQL(
            "mutation($t: String!) { refreshAccessToken(deviceToken: $t) { token expiresAt } }",
            variables: ["t": deviceToken], bearer: "expired-or-bogus")
        #expect(refresh.status == 200)
        let fresh = try #require(dig(refresh.json, "data", "refreshAccessToken", "token") as? String)
        #expect(try await f.graphQL("{ movies { totalCount } }", bearer: fresh).status == 200)
        let wrongRefresh = try await f.graphQL(
            "mutation { refreshAccessToken(deviceToken: \"x.y\") { token } }", bearer: nil)
        #expect(wrongRefresh.status == 200)
        #expect((wrongRefresh.json["errors"] as? [Any])?.isEmpty == false)

        // Inside a tunnel the bearer must belong to the handshake's device.
        #expect(try await f.graphQL("{ movies { totalCount } }", bearer: bearer, tunnel: device.id).status == 200)
        #expect(try await f.graphQL("{ movies { totalCount } }", bearer: bearer,
                                    tunnel: UUID().uuidString.lowercased()).status == 401)

        // Expired bearer.
        f.clock.advance(31 * 24 * 3600)
        #expect(try await f.graphQL("{ movies { totalCount } }", bearer: bearer).status == 401)

        let malformed = await f.service.execute(body: Data("{nope".utf8), bearer: bearer, tunnelDeviceID: nil)
        #expect(malformed.status == 400)
        let json = try JSONSerialization.jsonObject(with: malformed.body) as? [String: Any]
        #expect(json?["error"] as? String == "bad_request")
        #expect(json?["message"] is String)
        for body in ["[]", "{\"query\": 5}", "{}"] {
            #expect(await f.service.execute(body: Data(body.utf8), bearer: nil, tunnelDeviceID: nil).status == 400)
        }
        let huge = Data(repeating: 0x20, count: GraphQLService.maxBodySize + 1)
        #expect(await f.service.execute(body: huge, bearer: bearer, tunnelDeviceID: nil).status == 400)
        // A syntax error from a valid bearer is a GraphQL error, not an HTTP one.
        let (_, current, _) = try await f.pairedDevice(name: "Later")
        let syntax = try await f.graphQL("{ movies { ", bearer: current)
        #expect(syntax.status == 200)
        #expect((syntax.json["errors"] as? [Any])?.isEmpty == false)
    }

    @Test func devicesListAndRevokeClosesAccess() async throws {
        let revoked = RevokedLog()
        let f = try await Fixture.make(scan: false, onRevoke: { await revoked.add($0) })
        let (laptop, laptopBearer, _) = try await f.pairedDevice(name: "Laptop")
        f.clock.advance(1)
        let (phone, phoneBearer, _) = try await f.pairedDevice(name: "Phone")
        let list = try await f.graphQL("{ devices { id deviceName platform createdAt lastSeenAt online isRevoked } }",
                                       bearer: laptopBearer)
        let devices = try #require(dig(list.json, "data", "devices") as? [[String: Any]])
        #expect(devices.map { $0["deviceName"] as? String } == ["Laptop", "Phone"])
        #expect(devices.map { $0["isRevoked"] as? Bool } == [false, false])
        #expect(devices[0]["id"] as? String == laptop.id)
        #expect((devices[0]["createdAt"] as? String)?.hasSuffix("Z") == true)

        let revoke = try await f.graphQL("mutation($id: ID!) { revokeDevice(id: $id) { success device { id isRevoked } } }", variables: ["id": phone.id],
                                         bearer: laptopBearer)
        #expect(dig(revoke.json, "data", "revokeDevice", "success") as? Bool == true)
        #expect(dig(revoke.json, "data", "revokeDevice", "device", "isRevoked") as? Bool == true)
        #expect(await revoked.ids == [phone.id])
        #expect(try await f.graphQL("{ devices { id } }", bearer: phoneBearer).status == 401)
        let again = try await f.graphQL("{ devices { isRevoked } }", bearer: laptopBearer)
        #expect((dig(again.json, "data", "devices") as? [[String: Any]])?.map { $0["isRevoked"] as? Bool } == [false, true])
    }

    @Test func refreshMediaTokenNeedsBearerAndAcceptsExpiredToken() async throws {
        let f = try await Fixture.make(scan: false)
        let (device, bearer, _) = try await f.pairedDevice()
        let media = try await f.devices.issueToken(.media, deviceID: device.id)
        f.clock.advance(25 * 3600)
        let query = "mutation($t: String!) { refreshMediaToken(token: $t) { token expiresAt } }"
        #expect(try await f.graphQL(query, variables: ["t": media.token], bearer: nil).status == 401)
        let ok = try await f.graphQL(query, variables: ["t": media.token], bearer: bearer)
        let token = try #require(dig(ok.json, "data", "refreshMediaToken", "token") as? String)
        #expect(try await f.devices.validate(token, kind: .media).id == device.id)
    }
}

extension GraphQLServiceTests {
    /// Introspection answers what stock Mydia's schema says (the whole comparison is `StockSchemaTests`).
    @Test func schemaNullabilityFollowsStock() async throws {
        let f = try await Fixture.make(scan: false)
        let (_, bearer, _) = try await f.pairedDevice()
        func kinds(_ type: String) async throws -> [String: String] {
            let r = try await f.graphQL("query($t: String!) { __type(name: $t) { fields { name type { kind } } } }",
                                        variables: ["t": type], bearer: bearer)
            let fields = try #require(dig(r.json, "data", "__type", "fields") as? [[String: Any]])
            var map: [String: String] = [:]
            for field in fields { map[field["name"] as! String] = dig(field, "type", "kind") as? String }
            return map
        }
        let movie = try await kinds("Movie")
        #expect(movie["id"] == "NON_NULL" && movie["title"] == "NON_NULL" && movie["files"] == "LIST")
        #expect(movie["genres"] == "LIST")
        #expect(movie["year"] == "SCALAR" && movie["overview"] == "SCALAR")
        #expect(movie["progress"] == "OBJECT" && movie["artwork"] == "OBJECT")
        let show = try await kinds("TvShow")
        #expect(show["nextEpisode"] == "OBJECT" && show["seasons"] == "LIST")
        let query = try await kinds("Query")
        #expect(query["movie"] == "OBJECT" && query["recentlyAdded"] == "LIST")
        let file = try await kinds("MediaFile")
        #expect(file["subtitles"] == "LIST" && file["container"] == "SCALAR")
        let sizeType = try await f.graphQL("{ __type(name: \"MediaFile\") { fields { name type { ofType { name } } } } }",
                                           bearer: bearer)
        let sizeField = (dig(sizeType.json, "data", "__type", "fields") as? [[String: Any]])?.first { $0["name"] as? String == "size" }
        #expect(dig(sizeField, "type", "ofType", "name") == nil)  // a nullable Int, as in stock
        let idType = try await f.graphQL("{ __type(name: \"Movie\") { fields { name type { ofType { name } } } } }",
                                         bearer: bearer)
        let idField = (dig(idType.json, "data", "__type", "fields") as? [[String: Any]])?.first { $0["name"] as? String == "id" }
        #expect(dig(idField, "type", "ofType", "name") as? String == "ID")
    }
}

actor RevokedLog {
    var ids: [String] = []
    func add(_ id: String) { ids.append(id) }
}
