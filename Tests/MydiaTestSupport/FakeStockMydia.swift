import Foundation
import Synchronization

/// The login surface of a stock Mydia server (PROTOCOL.md §14.2), enough to drive the client's
/// URL login: `serverCompatibility`, `login`, `verifyTotp` (current generation), the probe, one
/// authenticated query (`whoami`), a media route, the player-disabled answer, revocation. Answers
/// with the texts and shapes §14.2.4 lists. Serves through `TestHTTPServer` (TLS or plain).
public final class FakeStockMydia: Sendable {
    /// How the fake server behaves.
    public struct Settings: Sendable {
        /// Answer like the 2026-07 generation (no TOTP fields, no `serverCompatibility`).
        public var olderGeneration = false
        /// The account needs a TOTP code (`code`).
        public var totp = false
        /// Every route answers 404 `PLAYER_DISABLED`.
        public var playerDisabled = false
        /// `expiresIn` of issued tokens.
        public var expiresIn = 2_592_000

        /// Settings.
        public init(olderGeneration: Bool = false, totp: Bool = false, playerDisabled: Bool = false, expiresIn: Int = 2_592_000) {
            self.olderGeneration = olderGeneration
            self.totp = totp
            self.playerDisabled = playerDisabled
            self.expiresIn = expiresIn
        }
    }

    /// The password of the one user, `alice`.
    public static let password = "correct horse battery staple"
    /// The TOTP code accepted when `totp` is on.
    public static let code = "123456"

    private struct State {
        var settings: Settings
        var tokens: Set<String> = []
        var issued = 0
    }

    private let state: Mutex<State>

    /// A fake server behaving as `settings` say.
    public init(_ settings: Settings = Settings()) {
        state = Mutex(State(settings: settings))
    }

    /// Stops accepting every token issued so far (the device was revoked).
    public func revokeAll() { state.withLock { $0.tokens.removeAll() } }

    /// Switches the player off or on.
    public func setPlayerDisabled(_ disabled: Bool) { state.withLock { $0.settings.playerDisabled = disabled } }

    /// The tokens issued, in order.
    public var issuedCount: Int { state.withLock { $0.issued } }

    /// Answers one request.
    public func respond(_ request: TestHTTPRequest) async -> TestHTTPResponse {
        let settings = state.withLock { $0.settings }
        if settings.playerDisabled {
            return .json(404, #"{"errors":[{"message":"The player is turned off on this server","extensions":{"code":"PLAYER_DISABLED"}}]}"#)
        }
        let bearer = request.headers["authorization"].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        let authorised = bearer.map { token in state.withLock { $0.tokens.contains(token) } } ?? false
        if request.method == "GET", request.uri.hasPrefix("/api/v1/stream/file/") {
            guard authorised else { return .json(401, #"{"error":"Unauthorized","message":"Missing or invalid token"}"#) }
            return TestHTTPResponse(status: 200, headers: ["content-type": "video/mp4"], body: Array(repeating: 7, count: 1000))
        }
        guard request.method == "POST", request.uri == "/api/graphql",
              let body = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
              let query = body["query"] as? String
        else { return .json(404, #"{"error":"not_found","message":"Not found"}"#) }
        let variables = body["variables"] as? [String: Any] ?? [:]
        let name = body["operationName"] as? String ?? (query.contains("query Probe") ? "Probe" : "")

        switch name {
        case "ServerCompatibility":
            if settings.olderGeneration { return Self.unknownField("serverCompatibility", on: "RootQueryType") }
            return .json(200, #"{"data":{"serverCompatibility":{"version":"1.4.0","minPlayerVersion":"0.1.0","recommendedPlayerVersion":"0.2.0"}}}"#)
        case "Login":
            if settings.olderGeneration, query.contains("totpRequired") { return Self.unknownField("totpRequired", on: "LoginResult") }
            guard variables["password"] as? String == Self.password, variables["username"] as? String == "alice",
                  variables["platform"] as? String == "linux", (variables["deviceId"] as? String).flatMap(UUID.init(uuidString:)) != nil
            else { return .json(200, #"{"data":{"login":null},"errors":[{"message":"Invalid username or password","path":["login"]}]}"#) }
            if settings.totp {
                return .json(200, #"{"data":{"login":{"token":null,"user":null,"expiresIn":null,"totpRequired":true,"challengeToken":"challenge-1"}}}"#)
            }
            return issue("login", settings: settings)
        case "VerifyTotp":
            guard variables["challengeToken"] as? String == "challenge-1", variables["code"] as? String == Self.code else {
                return .json(200, #"{"data":{"verifyTotp":null},"errors":[{"message":"Invalid code","path":["verifyTotp"]}]}"#)
            }
            return issue("verifyTotp", settings: settings)
        case "Probe":
            guard authorised else { return .json(401, #"{"error":"Unauthorized","message":"Missing or invalid token"}"#) }
            return .json(200, #"{"data":{"__typename":"RootQueryType"}}"#)
        case "Whoami":
            guard authorised else { return .json(401, #"{"error":"Unauthorized","message":"Missing or invalid token"}"#) }
            return .json(200, #"{"data":{"whoami":"alice"}}"#)
        default:
            guard authorised else { return .json(401, #"{"error":"Unauthorized","message":"Missing or invalid token"}"#) }
            return .json(200, #"{"errors":[{"message":"Cannot query field \"\#(name)\" on type \"RootQueryType\"."}]}"#)
        }
    }

    private func issue(_ field: String, settings: Settings) -> TestHTTPResponse {
        let token = state.withLock { state -> String in
            state.issued += 1
            let token = "stock-token-\(state.issued)-\(UUID().uuidString)"
            state.tokens.insert(token)
            return token
        }
        let totpFields = settings.olderGeneration ? "" : #","totpRequired":false,"challengeToken":null"#
        return .json(200, #"{"data":{"\#(field)":{"token":"\#(token)","user":{"id":"42","username":"alice"},"expiresIn":\#(settings.expiresIn)\#(totpFields)}}}"#)
    }

    private static func unknownField(_ field: String, on type: String) -> TestHTTPResponse {
        .json(200, #"{"errors":[{"message":"Cannot query field \"\#(field)\" on type \"\#(type)\".","locations":[{"line":1,"column":2}]}]}"#)
    }
}
