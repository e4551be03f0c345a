import MydiaConnection
import Foundation
import Logging
import MydiaAPI
import Testing

/// What the client does with answers a correct server never sends.
@Suite struct APIClientHostileServerTests {
    static func client(_ transport: ScriptedTransport) async throws -> (APIClient, URL) {
        let dir = CredentialFixtures.temporaryDirectory()
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        let store = try CredentialStore(directory: dir, logger: quiet)
        let credentials = CredentialFixtures.credentials(name: "Scripted")
        try await store.save(credentials)
        return (APIClient(transport: transport, store: store, instanceID: credentials.instanceID, logger: quiet), dir)
    }

    static let moviePage = #"""
        {"data":{"movies":{"edges":[{"node":{"id":"m1","title":"Loop","year":null,"overview":null,"runtime":null,
        "genres":[],"artwork":null,"progress":null,"files":[]},"cursor":"c1"}],
        "pageInfo":{"hasNextPage":true,"endCursor":"c1"},"totalCount":99}}}
        """#

    @Test func aCursorThatDoesNotAdvanceEndsTheWalkWithAnError() async throws {
        let transport = ScriptedTransport([ScriptedTransport.json(Self.moviePage), ScriptedTransport.json(Self.moviePage),
                                           ScriptedTransport.json(Self.moviePage)])
        let (client, dir) = try await Self.client(transport)
        defer { try? FileManager.default.removeItem(at: dir) }
        await #expect { try await client.allMovies(pageSize: 1).collect() } throws: { error in
            guard case .invalidResponse = error as? APIClient.Error else { return false }
            return true
        }
        #expect(transport.requestCount == 2)
    }

    @Test func controlCharactersInDisplayStringsAreStripped() async throws {
        let body = #"""
            {"data":{"search":{"totalCount":1,"sections":[{"type":"movie","totalCount":1,"results":[
            {"id":"m1","type":"movie","title":"Evil\u001b[2J\u009bTitle","year":2020,"subtitle":"sub\u0007line",
             "seasonNumber":null,"episodeNumber":null,"parentId":null}]}]}}}
            """#
        let (client, dir) = try await Self.client(ScriptedTransport([ScriptedTransport.json(body)]))
        defer { try? FileManager.default.removeItem(at: dir) }
        let item = try #require(try await client.search("evil").sections.first?.results.first)
        #expect(item.title == "Evil[2JTitle" && item.subtitle == "subline")
    }

    @Test func brokenBodiesAndHTTPErrorsBecomeTypedErrors() async throws {
        let transport = ScriptedTransport([
            ScriptedTransport.json("<html>proxy error</html>"),
            ScriptedTransport.json(#"{"error":"unavailable","message":"The library is being scanned."}"#, status: 503),
            ScriptedTransport.json(#"{"data":{"somethingElse":1}}"#),
            ScriptedTransport.json(#"{"errors":[{"message":"first"},{"message":"second\u001b"}],"data":null}"#),
            ScriptedTransport.json(#"{"data":{"movie":null}}"#),
        ])
        let (client, dir) = try await Self.client(transport)
        defer { try? FileManager.default.removeItem(at: dir) }
        // A web page where JSON belongs (a proxy's error page) is named as such, never shown.
        await #expect(throws: APIClient.Error.http(
            status: 200, code: nil, message: "a web page instead of the Mydia API — check the URL and any proxy in front of the server")) {
            try await client.devices()
        }
        await #expect(throws: APIClient.Error.http(status: 503, code: "unavailable", message: "The library is being scanned.")) {
            try await client.devices()
        }
        await #expect(throws: APIClient.Error.invalidResponse("Devices")) { try await client.devices() }
        await #expect(throws: APIClient.Error.graphQL(["first", "second"])) { try await client.devices() }
        #expect(try await client.movie(id: "gone") == nil)
        #expect(APIClient.Error.graphQL(["first", "second"]).description == "The server refused the request: first; second.")
    }

    @Test func aLostConnectionIsNotMistakenForRevocation() async throws {
        let (client, dir) = try await Self.client(ScriptedTransport([ScriptedTransport.json("{}", status: 401)]))
        defer { try? FileManager.default.removeItem(at: dir) }
        // The refresh request finds no connection: that error surfaces, not "pair again".
        await #expect(throws: URLError.self) { try await client.devices() }
    }
}
