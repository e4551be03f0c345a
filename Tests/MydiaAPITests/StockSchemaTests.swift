import Foundation
import MydiaAPI
@testable import MydiaLibrary
import Testing

/// PROTOCOL.md §14.1: every document the client can send validates against stock Mydia's schema
/// (`../shared/stock-mydia/schema.graphql`, and the older generation's form against
/// `schema-2026-07-01.graphql`), and what `mydia-server` answers as each generation (its dialect,
/// §14.2.8) is a subset of that generation's stock schema. The schemas
/// are read from `../shared` beside the project (never copied in); without it the tests say so and
/// skip. The check runs graphql-core (`scripts/stock-schema-check.py`, installed by `make deps`).
@Suite struct StockSchemaTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let stock = root.deletingLastPathComponent().appendingPathComponent("shared/stock-mydia")
    static let schemas = ["current": stock.appendingPathComponent("schema.graphql").path,
                          "2026-07-01": stock.appendingPathComponent("schema-2026-07-01.graphql").path]
    static var stockPresent: Bool { FileManager.default.fileExists(atPath: schemas["current"]!) }

    /// Every operation the client has, with sample arguments. `StockSchemaTests` fails when
    /// `Operations` gains one that is not listed here.
    struct Sample {
        var name: String
        var document: String
        var variables: [String: GraphQLValue]
        var legacy: GraphQLOperation<Bool>.LegacyForm?
        /// The older generation lacks the operation altogether (the client handles its absence).
        var absentInOlderServers = false

        init<R>(_ operation: GraphQLOperation<R>, absentInOlderServers: Bool = false) {
            name = operation.name
            document = operation.document
            variables = operation.variables
            legacy = operation.legacy.map { .init(document: $0.document, variables: $0.variables) }
            self.absentInOlderServers = absentInOlderServers
        }
    }

    static var samples: [Sample] {
        [
            Sample(Operations.movies(first: 50, after: "c1")), Sample(Operations.tvShows(first: 50, after: "c1")),
            Sample(Operations.movies(first: 50, after: "c1", sort: ListSort(.year, descending: true))),
            Sample(Operations.tvShows(first: 50, after: nil, sort: ListSort(.addedAt))),
            Sample(Operations.upNext(first: 20)),
            Sample(Operations.markSeasonWatched(showId: "s1", seasonNumber: 1, watched: true)),
            Sample(Operations.markSeasonWatched(showId: "s1", seasonNumber: 1, watched: false)),
            Sample(Operations.movie(id: "m1")), Sample(Operations.tvShow(id: "s1")),
            Sample(Operations.seasonEpisodes(showId: "s1", seasonNumber: 1)), Sample(Operations.episode(id: "e1")),
            Sample(Operations.search(query: "x", first: 20)), Sample(Operations.continueWatching(first: 20)),
            Sample(Operations.recentlyAdded(first: 20)), Sample(Operations.devices()),
            Sample(Operations.serverCompatibility(), absentInOlderServers: true),
            Sample(Operations.streamingCandidates(contentType: "movie", id: "m1")),
            Sample(Operations.startStreamingSession(fileId: "f1", strategy: .hlsCopy, startPosition: 30)),
            Sample(Operations.endStreamingSession(sessionId: "abc")),
            Sample(Operations.updateMovieProgress(movieId: "m1", positionSeconds: 30, durationSeconds: 600)),
            Sample(Operations.updateEpisodeProgress(episodeId: "e1", positionSeconds: 30, durationSeconds: nil)),
            Sample(Operations.markMovieWatched(movieId: "m1", watched: true)),
            Sample(Operations.markMovieWatched(movieId: "m1", watched: false)),
            Sample(Operations.markEpisodeWatched(episodeId: "e1", watched: true)),
            Sample(Operations.markEpisodeWatched(episodeId: "e1", watched: false)),
            Sample(Operations.refreshAccessToken(deviceToken: "t"), absentInOlderServers: true),
            Sample(Operations.refreshMediaToken(token: "t")),
            Sample(Operations.revokeDevice(id: "d1")),
            Sample(Operations.login(username: "ada", password: "pw", deviceId: "6b1f7f3e-2d7a-4c55-9d0e-2a1b3c4d5e6f",
                                    deviceName: "laptop", platform: "linux")),
            Sample(Operations.verifyTotp(challengeToken: "c", code: "123456"), absentInOlderServers: true),
        ]
    }

    struct Report: Decodable {
        struct Document: Decodable { var name: String; var generation: String; var errors: [String] }
        var documents: [Document]
        var server: [String: [String]]
    }

    /// Runs the checker on `documents` (name, generation, query, variables) and the server SDL.
    static func check(_ documents: [[String: Any]], serverSDL: String? = nil) throws -> Report {
        let input: [String: Any] = ["schemas": schemas, "documents": documents, "server_sdl": serverSDL ?? NSNull()]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("scripts/stock-schema-check.py").path]
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: input))
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CheckerFailed(output: String(decoding: err, as: UTF8.self) + " (run `make deps`: it installs graphql-core)")
        }
        return try JSONDecoder().decode(Report.self, from: out)
    }

    struct CheckerFailed: Error, CustomStringConvertible { var output: String; var description: String { output } }

    static func json(_ variables: [String: GraphQLValue]) throws -> Any {
        try JSONSerialization.jsonObject(with: JSONEncoder().encode(variables))
    }

    @Test func everyClientDocumentValidatesAgainstBothStockGenerations() throws {
        try #require(Self.stockPresent, "../shared/stock-mydia is not beside the project: nothing to validate against")
        var documents: [[String: Any]] = []
        for sample in Self.samples {
            documents.append(["name": sample.name, "generation": "current", "query": sample.document, "variables": try Self.json(sample.variables)])
            if let legacy = sample.legacy {
                documents.append(["name": sample.name, "generation": "2026-07-01", "query": legacy.document,
                                  "variables": try Self.json(legacy.variables)])
            } else if !sample.absentInOlderServers {
                documents.append(["name": sample.name, "generation": "2026-07-01", "query": sample.document,
                                  "variables": try Self.json(sample.variables)])
            }
        }
        let report = try Self.check(documents)
        #expect(report.documents.count == documents.count)
        for document in report.documents {
            #expect(document.errors.isEmpty, "\(document.name) (\(document.generation)): \(document.errors)")
        }
    }

    /// The validator is real: a misspelt field, a Float where stock wants Int, and a field only the
    /// current generation has all fail.
    @Test func theCheckFailsOnAMisspeltFieldAWrongTypeAndAnOlderServersGap() throws {
        try #require(Self.stockPresent, "../shared/stock-mydia is not beside the project: nothing to validate against")
        let movie = Operations.movie(id: "m1")
        let report = try Self.check([
            ["name": "misspelt", "generation": "current", "query": movie.document.replacingOccurrences(of: " title ", with: " titel "),
             "variables": ["id": "m1"]],
            ["name": "float", "generation": "current",
             "query": Operations.updateMovieProgress(movieId: "m", positionSeconds: 1, durationSeconds: nil).document,
             "variables": ["movieId": "m", "positionSeconds": 1.5]],
            ["name": "newer", "generation": "2026-07-01", "query": movie.document, "variables": ["id": "m1"]],
        ])
        #expect(report.documents.allSatisfy { !$0.errors.isEmpty }, "\(report.documents)")
    }

    /// The list above is complete: every public operation in `Operations` is sampled.
    @Test func everyOperationIsSampled() throws {
        let folder = Self.root.appendingPathComponent("Sources/MydiaAPI/GraphQL")
        var declared = 0
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasPrefix("Operations") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            declared += text.components(separatedBy: "\n").filter { $0.contains("public static func ") }.count
        }
        let sampledFunctions = Set(Self.samples.map(\.name)).subtracting(["MarkMovieUnwatched", "MarkEpisodeUnwatched", "MarkSeasonUnwatched"])
        #expect(sampledFunctions.count + Self.extraSampled == declared)
    }

    /// Operations sampled by another suite (login, in `LoginOperationsTests`' list when it exists).
    static let extraSampled = 0

    /// What `mydia-server` answers as each generation (its dialect of the executable schema,
    /// PROTOCOL.md §14.2.8) is a subset of that generation's stock schema.
    @Test func eachGenerationsDialectIsASubsetOfItsStockSchema() throws {
        try #require(Self.stockPresent, "../shared/stock-mydia is not beside the project: nothing to compare with")
        let current = try CatalogSchema.sdl(.current)
        let legacy = try CatalogSchema.sdl(.legacy20260701)
        #expect(try Self.check([], serverSDL: current).server["current"] == [])
        let older = try Self.check([], serverSDL: legacy).server["2026-07-01"]
        #expect(older == [], "\(older ?? [])")
        // And the comparison is real: a field stock does not have is named, the executable schema
        // (which keeps the older flat search list) is not current stock, and the current dialect is
        // not the older one.
        let wrong = try Self.check([], serverSDL: current.replacingOccurrences(of: "  title: String!", with: "  titel: String!"))
        #expect(wrong.server["current"]?.contains { $0.contains("titel") } == true)
        let executable = try Self.check([], serverSDL: try CatalogSchema.sdl())
        #expect(executable.server["current"] == ["field SearchResults.results: not in stock"])
        let crossed = try Self.check([], serverSDL: current).server["2026-07-01"] ?? []
        #expect(crossed.contains("field Query.serverCompatibility: not in stock"))
        #expect(crossed.contains("field LoginResult.token: String here, String! in stock"))
    }
}
