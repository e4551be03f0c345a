import Foundation
@testable import MydiaConnection
import Testing

@Suite struct IdempotencyTests {
    private func graphQL(_ document: String, operationName: String? = nil) -> PathRequest {
        var object: [String: Any] = ["query": document]
        if let operationName { object["operationName"] = operationName }
        let body = try! JSONSerialization.data(withJSONObject: object)
        return PathRequest(method: "POST", path: "/api/graphql", body: Array(body))
    }

    @Test func methodsAndGraphQLOperationsAreClassified() {
        #expect(Idempotency.isIdempotent(PathRequest(method: "get", path: "/x")))
        #expect(Idempotency.isIdempotent(PathRequest(method: "DELETE", path: "/api/v1/hls/s")))
        #expect(!Idempotency.isIdempotent(PathRequest(method: "PUT", path: "/x")))
        #expect(Idempotency.isIdempotent(graphQL("{ movies { totalCount } }")))
        #expect(Idempotency.isIdempotent(graphQL("# mutation in a comment\nquery Q($id: ID!) { movie(id: $id) { title } }")))
        #expect(!Idempotency.isIdempotent(graphQL("mutation { markMovieWatched(movieId: \"1\", watched: true) { watched } }")))
        #expect(!Idempotency.isIdempotent(graphQL("query A { movies { totalCount } } mutation B { revokeDevice(id: \"1\") }")))
        #expect(Idempotency.isIdempotent(graphQL("query A { movies { totalCount } } mutation B { revokeDevice(id: \"1\") }", operationName: "A")))
        #expect(!Idempotency.isIdempotent(graphQL("query A { movies { totalCount } } mutation B { revokeDevice(id: \"1\") }", operationName: "B")))
        #expect(Idempotency.isIdempotent(graphQL("query { search(query: \"mutation {\") { totalCount } }")))
        #expect(!Idempotency.isIdempotent(PathRequest(method: "POST", path: "/api/graphql", body: Array("not json".utf8))))
        #expect(!Idempotency.isIdempotent(PathRequest(method: "POST", path: "/api/other", body: graphQL("{ a }").body)))
    }

    @Test func resumePlanUsesTheOriginalContentRange() throws {
        let (stream, _) = AsyncThrowingStream.makeStream(of: [UInt8].self)
        let partial = PathResponse(status: 206, headers: ["content-range": "bytes 1000-1999/5000", "etag": "\"e\""], body: stream)
        let plan = try ResumePlan.make(request: PathRequest(method: "GET", path: "/f"), head: partial, delivered: 250)
        #expect(plan == .range(start: 1250, end: 1999, ifRange: "\"e\""))
        let weak = PathResponse(status: 200, headers: ["etag": "W/\"e\""], body: stream)
        #expect(try ResumePlan.make(request: PathRequest(method: "GET", path: "/f"), head: weak, delivered: 5) == .range(start: 5, end: nil, ifRange: nil))
        #expect(throws: ConnectionManager.Error.self) {
            try ResumePlan.make(request: PathRequest(method: "GET", path: "/api/v1/hls/s/index.m3u8"), head: weak, delivered: 5)
        }
        #expect(ContentRange("bytes 5-4/10") == nil)
        #expect(ContentRange("bytes 0-9/*") == ContentRange("bytes 0-9/10"))
    }
}
