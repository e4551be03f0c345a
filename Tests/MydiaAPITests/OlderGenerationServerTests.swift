import Foundation
import MydiaAPI
import MydiaConnection
import MydiaLibrary
import MydiaServer
import MydiaTestSupport
import Testing

/// The client's operations against the real `mydia-server` (its instance API, over a transport
/// that calls it directly) answering as each stock schema generation (PROTOCOL.md §14.2.8): on a
/// 2026-07-01 server every operation's older form runs clean, the current form of those that
/// differ is refused naming what the server lacks, and an `APIClient` that does not know learns
/// the generation from that refusal; on a current server everything runs as before.
@Suite(.serialized) struct OlderGenerationServerTests {
    /// One client operation with real arguments.
    struct Step: Sendable {
        var name: String
        var document: String
        var variables: [String: GraphQLValue]
        var legacy: GraphQLOperation<Bool>.LegacyForm?
        var absentInOlderServers: Bool
        var perform: @Sendable (APIClient) async throws -> Void

        init<R>(_ operation: GraphQLOperation<R>, absentInOlderServers: Bool = false) {
            name = operation.name
            document = operation.document
            variables = operation.variables
            legacy = operation.legacy.map { .init(document: $0.document, variables: $0.variables) }
            self.absentInOlderServers = absentInOlderServers
            perform = { client in _ = try await client.perform(operation) }
        }
    }

    /// A server of `generation` with the sample library, a paired client, a user `ada` without
    /// TOTP, a second device to revoke, and every client operation with ids of the library.
    struct Lab {
        let paired: PairedClient
        let steps: [Step]
        let movieID: String
        let fileID: String

        static func start(_ generation: StockGeneration) async throws -> Lab {
            let paired = try await PairedClient.start { $0.stockGeneration = generation }
            do {
                let host = paired.stack.host
                let movie = try #require(try await host.library.movies().first { $0.title == "Big Test Pattern" })
                let file = try #require(try await host.library.files(itemID: movie.id).first)
                let show = try #require(try await host.library.shows().first)
                let episode = try #require(try await host.library.episodes(showID: show.id).first)
                var password = Array("correct horse".utf8)
                _ = try await host.users.add(username: "ada", password: &password, withTOTP: false)
                // A TOTP account's first step, for `verifyTotp` (which only the current generation has).
                password = Array("pw-1".utf8)
                let totp = try #require(try await host.users.add(username: "bob", password: &password, withTOTP: true).totp)
                let outcome = await host.login.login(username: "bob", password: "pw-1", deviceID: "9a0c2f8e-1b3d-4e5f-8a7b-6c5d4e3f2a10",
                                                     deviceName: "laptop", platform: "linux", clientAddress: "127.0.0.1")
                guard case .totpRequired(let challenge) = outcome else { throw CheckFailed("bob's login answered \(outcome)") }
                let code = try #require(totp.code(at: Date()))
                let (other, _) = try await host.devices.createDevice(name: "Old Phone", platform: "android",
                                                                     publicKey: Array(repeating: 9, count: 32))
                let c = paired.credentials
                let steps = [
                    Step(Operations.movies(first: 50)), Step(Operations.tvShows(first: 50)),
                    Step(Operations.movie(id: movie.id)), Step(Operations.tvShow(id: show.id)),
                    Step(Operations.seasonEpisodes(showId: show.id, seasonNumber: episode.seasonNumber)),
                    Step(Operations.episode(id: episode.id)),
                    Step(Operations.updateMovieProgress(movieId: movie.id, positionSeconds: 1, durationSeconds: 2)),
                    Step(Operations.updateEpisodeProgress(episodeId: episode.id, positionSeconds: 1, durationSeconds: nil)),
                    Step(Operations.search(query: "a", first: 20)), Step(Operations.continueWatching(first: 20)),
                    Step(Operations.recentlyAdded(first: 20)), Step(Operations.devices()),
                    Step(Operations.serverCompatibility(), absentInOlderServers: true),
                    Step(Operations.streamingCandidates(contentType: "movie", id: movie.id)),
                    Step(Operations.startStreamingSession(fileId: file.id, strategy: .hlsCopy, startPosition: 0)),
                    Step(Operations.endStreamingSession(sessionId: "no-such-session")),
                    Step(Operations.markMovieWatched(movieId: movie.id, watched: true)),
                    Step(Operations.markMovieWatched(movieId: movie.id, watched: false)),
                    Step(Operations.markEpisodeWatched(episodeId: episode.id, watched: true)),
                    Step(Operations.markEpisodeWatched(episodeId: episode.id, watched: false)),
                    Step(Operations.markSeasonWatched(showId: show.id, seasonNumber: episode.seasonNumber, watched: true)),
                    Step(Operations.markSeasonWatched(showId: show.id, seasonNumber: episode.seasonNumber, watched: false)),
                    Step(Operations.upNext(first: 20)),
                    Step(Operations.refreshAccessToken(deviceToken: c.deviceToken), absentInOlderServers: true),
                    Step(Operations.refreshMediaToken(token: c.mediaToken)),
                    Step(Operations.revokeDevice(id: other.id)),
                    Step(Operations.login(username: "ada", password: "correct horse", deviceId: "6b1f7f3e-2d7a-4c55-9d0e-2a1b3c4d5e6f",
                                          deviceName: "laptop", platform: "linux")),
                    Step(Operations.verifyTotp(challengeToken: challenge, code: code), absentInOlderServers: true),
                ]
                return Lab(paired: paired, steps: steps, movieID: movie.id, fileID: file.id)
            } catch {
                await paired.stop()
                throw error
            }
        }

        /// A client of the paired device that already knows the generation.
        func client(_ generation: ServerGeneration) -> APIClient {
            APIClient(transport: paired.transport, store: paired.store,
                      authentication: .paired(instanceID: paired.credentials.instanceID), generation: generation)
        }

        /// Sends a document as it is, with the paired device's bearer; the `errors` messages.
        func errors(_ document: String, _ variables: [String: GraphQLValue], name: String) async throws -> [String] {
            let body = try JSONSerialization.data(withJSONObject: [
                "query": document, "operationName": name,
                "variables": try JSONSerialization.jsonObject(with: JSONEncoder().encode(variables)),
            ])
            let reply = try await paired.transport.send(APIRequestSpec(
                method: "POST", path: "/api/graphql",
                headers: ["content-type": "application/json", "authorization": "Bearer \(paired.credentials.accessToken)"],
                body: Array(body)))
            #expect(reply.status == 200, "\(name)")
            let json = try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any]
            return (json?["errors"] as? [[String: Any]])?.compactMap { $0["message"] as? String } ?? []
        }
    }

    struct CheckFailed: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Runs `body` on a fresh lab and always stops it.
    static func with(_ generation: StockGeneration, _ body: (Lab) async throws -> Void) async throws {
        let lab = try await Lab.start(generation)
        do { try await body(lab) } catch {
            await lab.paired.stop()
            throw error
        }
        await lab.paired.stop()
    }

    @Test func theStepsAreEveryClientOperation() async throws {
        try await Self.with(.current) { lab in
            #expect(Set(lab.steps.map(\.name)) == Set(StockSchemaTests.samples.map(\.name)))
        }
    }

    @Test func anOlderServerRunsEveryOlderFormAndRefusesTheNewerOnes() async throws {
        try await Self.with(.legacy20260701) { lab in
            let client = lab.client(.legacy2026_07)
            for step in lab.steps {
                let before = lab.paired.transport.exchanges.count
                if step.absentInOlderServers {
                    do {
                        try await step.perform(client)
                        Issue.record("\(step.name) ran on a 2026-07-01 server")
                    } catch APIClient.Error.graphQL(let messages) {
                        #expect(!messages.isEmpty && messages.allSatisfy(APIClient.namesUnknownField), "\(step.name): \(messages)")
                    }
                } else {
                    await #expect(throws: Never.self, "\(step.name)") { try await step.perform(client) }
                }
                #expect(lab.paired.transport.exchanges.count == before + 1, "\(step.name) took one request")
                #expect(lab.paired.transport.exchanges.last?.status == 200, "\(step.name)")
                // What the current generation asks beyond the older one is named as unknown.
                if step.legacy != nil {
                    let refused = try await lab.errors(step.document, step.variables, name: step.name)
                    #expect(refused.contains(where: APIClient.namesUnknownField), "\(step.name): \(refused)")
                }
            }
            #expect(await client.generation == .legacy2026_07)
            // A session started in the older form ends; the flat search list reads as sections.
            let session = try #require(try await client.perform(Operations.startStreamingSession(fileId: lab.fileID, strategy: .hlsCopy)))
            #expect(session.playlistMode == nil && session.duration != nil)
            #expect(try await client.perform(Operations.endStreamingSession(sessionId: session.sessionId)) == true)
            let found = try #require(try await client.perform(Operations.search(query: "a", first: 20)))
            #expect(found.sections.map(\.type) == ["MOVIE", "TV_SHOW", "EPISODE"])
            #expect(found.sections.map(\.results.count).reduce(0, +) == found.totalCount)
        }
    }

    /// An `APIClient` that starts out assuming the current generation retries once in the older
    /// form when the server names an unknown field, and then stays with it.
    @Test func aClientLearnsTheOlderGenerationFromTheRefusal() async throws {
        try await Self.with(.legacy20260701) { lab in
            let client = lab.paired.client
            #expect(await client.generation == .current)
            let movie = try #require(try await client.perform(Operations.movie(id: lab.movieID)))
            #expect(movie.files.first?.id == lab.fileID)
            #expect(lab.paired.transport.exchanges.count == 2, "refused once, then the older form")
            #expect(await client.generation == .legacy2026_07)
            _ = try await client.perform(Operations.continueWatching(first: 5))
            #expect(lab.paired.transport.exchanges.count == 3, "straight to the older form")

            let anonymous = APIClient(transport: lab.paired.transport, store: lab.paired.store, authentication: .anonymous)
            let login = try #require(try await anonymous.perform(Operations.login(
                username: "ada", password: "correct horse", deviceId: "0d6f6a57-55a8-4f2b-a1f8-2d8e9a3c1b44", deviceName: "laptop")))
            #expect(login.token?.isEmpty == false && !login.needsTOTP && login.expiresIn == 30 * 24 * 3600)
            #expect(await anonymous.generation == .legacy2026_07)
        }
    }

    @Test func aCurrentServerRunsEveryCurrentFormAsBefore() async throws {
        try await Self.with(.current) { lab in
            let client = lab.paired.client
            for step in lab.steps {
                let before = lab.paired.transport.exchanges.count
                await #expect(throws: Never.self, "\(step.name)") { try await step.perform(client) }
                #expect(lab.paired.transport.exchanges.count == before + 1, "\(step.name) took one request")
            }
            #expect(await client.generation == .current)
            // The older search list is not part of the current schema.
            let older = try #require(Operations.search(query: "a").legacy)
            #expect(try await lab.errors(older.document, older.variables, name: "Search")
                == ["Cannot query field \"results\" on type \"SearchResults\"."])
        }
    }
}
