import Foundation
import Logging
import MydiaAPI
import MydiaConnection
import Synchronization
import Testing

/// A transport that answers from a script and keeps every request it was given.
final class RecordingTransport: APITransport {
    private let replies: Mutex<[APIReply]>
    private let sent = Mutex<[APIRequestSpec]>([])

    init(_ replies: [APIReply]) { self.replies = Mutex(replies) }

    var requests: [APIRequestSpec] { sent.withLock { $0 } }

    /// The GraphQL documents sent, in order.
    var documents: [String] {
        requests.compactMap { request in
            (try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])?["query"] as? String
        }
    }

    func send(_ request: APIRequestSpec) async throws -> APIReply {
        sent.withLock { $0.append(request) }
        return try replies.withLock { queue in
            guard !queue.isEmpty else { throw URLError(.cannotConnectToHost) }
            return queue.removeFirst()
        }
    }
}

/// The API client's decisions for URL-login servers (PROTOCOL.md §14.2.3, §14.2.4, §14.2.8).
@Suite struct APIClientLoginModeTests {
    static func loginClient(_ transport: RecordingTransport, generation: ServerGeneration = .current)
        async throws -> (APIClient, CredentialStore, LoginServer, URL) {
        let dir = CredentialFixtures.temporaryDirectory()
        let store = try CredentialStore(directory: dir, logger: LoginStoreTests.quiet)
        var record = LoginStoreTests.login()
        record.generation = generation
        let login = try await store.saveLogin(record)
        let client = APIClient(transport: transport, store: store, authentication: .login(id: login.id),
                               generation: generation, logger: LoginStoreTests.quiet)
        return (client, store, login, dir)
    }

    static let loginReply = #"{"data":{"login":{"token":"t","user":{"id":"1","username":"a"},"expiresIn":60}}}"#
    static let unknownTOTP = #"{"errors":[{"message":"Cannot query field \"totpRequired\" on type \"LoginResult\".","locations":[{"line":1,"column":200}]}]}"#

    @Test func a401IsNotRefreshedButMeansLogInAgain() async throws {
        let transport = RecordingTransport([ScriptedTransport.json(#"{"error":"Unauthorized","message":"Invalid token"}"#, status: 401)])
        let (client, _, login, dir) = try await Self.loginClient(transport)
        defer { try? FileManager.default.removeItem(at: dir) }
        await #expect(throws: APIClient.Error.loginExpired) { _ = try await client.movie(id: "m1") }
        #expect(transport.requests.count == 1, "no refreshAccessToken after a URL login")
        #expect(transport.requests.first?.headers["authorization"] == "Bearer \(login.accessToken)")
        #expect(APIClient.Error.loginExpired.description
            == "The server no longer accepts this login — log in again with `mydia-tui login URL`.")
    }

    @Test func aLoggedOutServerIsLoginExpiredWithoutARequest() async throws {
        let transport = RecordingTransport([])
        let (client, store, login, dir) = try await Self.loginClient(transport)
        defer { try? FileManager.default.removeItem(at: dir) }
        try await store.removeLogin(id: login.id)
        await #expect(throws: APIClient.Error.loginExpired) { _ = try await client.movie(id: "m1") }
        #expect(transport.requests.isEmpty)
    }

    @Test func thePlayerDisabledAnswerCarriesTheServersOwnText() async throws {
        let body = #"{"errors":[{"message":"The player is disabled on this server","extensions":{"code":"PLAYER_DISABLED"}}]}"#
        let transport = RecordingTransport([ScriptedTransport.json(body, status: 404), ScriptedTransport.json(body, status: 404)])
        let (client, _, _, dir) = try await Self.loginClient(transport)
        defer { try? FileManager.default.removeItem(at: dir) }
        let error = await #expect(throws: APIClient.Error.self) { _ = try await client.movie(id: "m1") }
        #expect(error == .playerDisabled("The player is disabled on this server"))
        #expect(error?.description == "The player is disabled on this server.")
        // Anonymous (the login mutation itself) too.
        let anonymous = APIClient(transport: transport, store: try CredentialStore(directory: dir, logger: LoginStoreTests.quiet),
                                  authentication: .anonymous, logger: LoginStoreTests.quiet)
        await #expect(throws: APIClient.Error.playerDisabled("The player is disabled on this server")) {
            _ = try await anonymous.perform(Operations.login(username: "a", password: "p", deviceId: "d", deviceName: "h"))
        }
        #expect(transport.requests.last?.headers["authorization"] == nil)
    }

    @Test func aProxysHTMLOrGatewayErrorBecomesOneSentence() async throws {
        let page = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>"
        let transport = RecordingTransport([
            APIReply(status: 502, headers: ["content-type": "text/html"], body: Array(page.utf8)),
            APIReply(status: 200, headers: ["content-type": "text/html; charset=utf-8"], body: Array("<html>Sign in to the portal</html>".utf8)),
            APIReply(status: 504, body: Array("upstream timed out".utf8)),
        ])
        let (client, _, _, dir) = try await Self.loginClient(transport)
        defer { try? FileManager.default.removeItem(at: dir) }
        for expectedStatus in [502, 200, 504] {
            let error = await #expect(throws: APIClient.Error.self) { _ = try await client.movie(id: "m1") }
            guard case .http(let status, nil, let message?)? = error else {
                Issue.record("expected an HTTP error with a sentence, got \(String(describing: error))")
                continue
            }
            #expect(status == expectedStatus)
            let sentence = error?.description ?? ""
            #expect(!sentence.contains("<") && !sentence.contains("nginx") && !sentence.contains("portal"), "\(sentence)")
            #expect(message.contains(expectedStatus == 200 ? "check the URL" : "proxy"), "\(message)")
        }
    }

    @Test func anUnknownFieldSwitchesToTheOlderFormOnceAndIsRemembered() async throws {
        let transport = RecordingTransport([
            ScriptedTransport.json(Self.unknownTOTP),
            ScriptedTransport.json(Self.loginReply),
            ScriptedTransport.json(Self.loginReply),
        ])
        let (client, store, login, dir) = try await Self.loginClient(transport)
        defer { try? FileManager.default.removeItem(at: dir) }
        let operation = Operations.login(username: "a", password: "p", deviceId: "d", deviceName: "h")
        let result = try #require(try await client.perform(operation))
        #expect(result.token == "t" && result.totpRequired == nil && result.expiresIn == 60)
        #expect(transport.documents.count == 2)
        #expect(transport.documents[0].contains("totpRequired") && !transport.documents[1].contains("totpRequired"))
        #expect(await client.generation == .legacy2026_07)
        #expect(await store.login(id: login.id)?.generation == .legacy2026_07, "kept in the login's record")
        // Later operations go straight to the older form.
        _ = try await client.perform(operation)
        #expect(transport.documents.count == 3 && !transport.documents[2].contains("totpRequired"))
        // A client made from the stored record starts there too.
        let reopened = APIClient(transport: RecordingTransport([]), store: store, authentication: .login(id: login.id),
                                 generation: try #require(await store.login(id: login.id)).generation)
        #expect(await reopened.generation == .legacy2026_07)
    }

    @Test func theOlderFormIsTriedAtMostOnceAndOnlyWhenThereIsOne() async throws {
        let unknownArgument = #"{"errors":[{"message":"Unknown argument \"playlistMode\" on field \"startStreamingSession\" of type \"RootMutationType\"."}]}"#
        let transport = RecordingTransport([
            ScriptedTransport.json(Self.unknownTOTP), ScriptedTransport.json(Self.unknownTOTP),
            ScriptedTransport.json(unknownArgument),
        ])
        let (client, _, _, dir) = try await Self.loginClient(transport)
        defer { try? FileManager.default.removeItem(at: dir) }
        // The older form fails too: that error is the answer, no third document.
        await #expect(throws: APIClient.Error.self) {
            _ = try await client.perform(Operations.login(username: "a", password: "p", deviceId: "d", deviceName: "h"))
        }
        #expect(transport.documents.count == 2)
        // An operation without an older form is not retried.
        await #expect(throws: APIClient.Error.graphQL([
            "Unknown argument \"playlistMode\" on field \"startStreamingSession\" of type \"RootMutationType\".",
        ])) {
            _ = try await client.perform(Operations.verifyTotp(challengeToken: "c", code: "123456"))
        }
        #expect(transport.documents.count == 3)
        // Other GraphQL errors never switch the generation.
        let refusal = RecordingTransport([ScriptedTransport.json(#"{"errors":[{"message":"Invalid username or password"}]}"#)])
        let (fresh, _, _, dir2) = try await Self.loginClient(refusal)
        defer { try? FileManager.default.removeItem(at: dir2) }
        await #expect(throws: APIClient.Error.graphQL(["Invalid username or password"])) {
            _ = try await fresh.perform(Operations.login(username: "a", password: "p", deviceId: "d", deviceName: "h"))
        }
        let generation = await fresh.generation
        #expect(refusal.documents.count == 1 && generation == .current)
    }

    @Test func theLoginDocumentsKeepThePasswordInTheVariables() throws {
        let operation = Operations.login(username: "alice", password: "pa\"ss { }", deviceId: "dev", deviceName: "host")
        #expect(!operation.document.contains("pa\"ss"))
        #expect(operation.variables["password"] == .string("pa\"ss { }"))
        #expect(operation.variables["platform"] == .string("linux"))
        #expect(operation.document.contains("login(input: {username: $username, password: $password, deviceId: $deviceId, deviceName: $deviceName, platform: $platform})"))
        #expect(operation.document.contains("totpRequired challengeToken"))
        let legacy = try #require(operation.legacy)
        #expect(!legacy.document.contains("totpRequired") && !legacy.document.contains("challengeToken"))
        #expect(legacy.variables == operation.variables)
        let verify = Operations.verifyTotp(challengeToken: "c", code: "123456")
        #expect(verify.legacy == nil && verify.document.contains("verifyTotp(input: {challengeToken: $challengeToken, code: $code})"))
    }
}
