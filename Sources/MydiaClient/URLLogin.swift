public import Foundation
public import Logging
public import MydiaAPI
import MydiaTransport

/// Logging in to a stock Mydia server with its URL, a user name and a password (PROTOCOL.md
/// §14.2.1–2): check the transport rule, ask `serverCompatibility` (older servers lack it; their
/// answer tells the schema generation), `login`, `verifyTotp` when the account has a second
/// factor, and only then store the server (never the password).
public enum URLLogin {
    /// Why the server refused the login; `description` is the server's own text as one sentence.
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// Bad password or code, too many attempts, an expired sign-in, local sign-in switched off,
        /// a passkey-only account — the server's text.
        case refused(String)
        /// The server has its player switched off — the server's text.
        case playerDisabled(String)
        /// The server asked for a second factor but sent no challenge, or accepted without a token.
        case incomplete

        public var description: String {
            switch self {
            case .refused(let message), .playerDisabled(let message):
                message.isEmpty ? "The server refused the login without saying why." : message + (message.hasSuffix(".") ? "" : ".")
            case .incomplete:
                "The server's answer to the login carries no access token — check that it runs a compatible Mydia version."
            }
        }
    }

    /// Progress, for a person watching.
    public enum Step: Sendable, Equatable {
        /// Asking the server what it is (no password sent yet).
        case checkingServer
        /// Sending the user name and password.
        case signingIn
        /// The account needs a TOTP or recovery code; `code` is about to be asked.
        case secondFactor
    }

    /// What to log in with.
    public struct Request: Sendable {
        /// The base URL.
        public var url: LoginURL
        /// How the server's TLS is checked (`--ca`, `--pin-sha256`, or plain HTTP for `http://`).
        public var security: LoginServer.Security
        /// User name or e-mail.
        public var username: String
        /// The password; sent once, never stored or logged.
        public var password: String
        /// The name to show (`--name`); the host when `nil`.
        public var name: String?
        /// This computer's name, sent as `deviceName`.
        public var deviceName: String

        /// Creates a request.
        public init(url: LoginURL, security: LoginServer.Security, username: String, password: String, name: String?, deviceName: String) {
            self.url = url
            self.security = security
            self.username = username
            self.password = password
            self.name = name
            self.deviceName = deviceName
        }
    }

    /// Logs in and stores the server.
    /// - Parameters:
    ///   - request: URL, TLS mode, user, password.
    ///   - store: receives the login once it fully succeeded; gives the per-install device id.
    ///   - code: asked for the TOTP or recovery code when the server requires one.
    ///   - progress: steps for a person watching.
    ///   - now: the clock for the login time and the token's expiry.
    /// - Returns: the stored entry.
    /// - Throws: `LoginURL.Error` (plain HTTP off the local network), `DirectClient.Error`
    ///   (unreachable, TLS refused with the fix named), `URLLogin.Error` (the server refused),
    ///   `APIClient.Error` (an answer that is not the Mydia API), `CredentialStore.Error`.
    public static func login(
        _ request: Request, store: CredentialStore, logger: Logger,
        code: @escaping @Sendable () async throws -> String,
        progress: @escaping @Sendable (Step) -> Void = { _ in },
        now: @escaping @Sendable () -> Date = Date.init
    ) async throws -> LoginServer {
        if request.url.isPlainHTTP {
            guard request.security == .plainHTTP else {
                throw LoginURL.Error.invalid("--ca and --pin-sha256 apply to https:// only — give the server's https:// URL.")
            }
        } else if request.security == .plainHTTP {
            throw LoginURL.Error.invalid("Plain HTTP needs an http:// URL.")
        }
        _ = try request.url.checkTransportPolicy()
        let client = try DirectClient(baseURL: request.url.string, tls: try request.security.directMode())
        let deviceID = try await store.installDeviceID()
        let transport = DirectAPITransport(client: client)

        progress(.checkingServer)
        let generation = try await probeGeneration(transport: transport, store: store, logger: logger)
        let api = APIClient(transport: transport, store: store, authentication: .anonymous, generation: generation, logger: logger)

        progress(.signingIn)
        var result = try await refusals {
            try await api.perform(Operations.login(username: request.username, password: request.password, deviceId: deviceID,
                                                   deviceName: request.deviceName))
        }
        if result?.needsTOTP == true {
            guard let challenge = result?.challengeToken, !challenge.isEmpty else { throw Error.incomplete }
            progress(.secondFactor)
            let typed = try await code().trimmingCharacters(in: .whitespacesAndNewlines)
            result = try await refusals { try await api.perform(Operations.verifyTotp(challengeToken: challenge, code: typed)) }
        }
        guard let result, let token = result.token, !token.isEmpty else { throw Error.incomplete }
        let at = now()
        let learnt = await api.generation
        let entry = LoginServer(
            name: request.name?.isEmpty == false ? request.name ?? request.url.host : request.url.host,
            baseURL: request.url.string, security: request.security, username: request.username, userID: result.user?.id,
            deviceID: deviceID, accessToken: token, accessExpiresAt: result.expiresIn.map { at.addingTimeInterval(TimeInterval($0)) },
            generation: learnt, loggedInAt: at, lastUsedAt: at)
        let stored = try await store.saveLogin(entry)
        logger.info("Logged in", metadata: ["server": "\(stored.baseURL)", "generation": "\(learnt.rawValue)"])
        return stored
    }

    /// Asks `serverCompatibility` without credentials (§14.2.1). A server that does not know the
    /// field is of the older generation; other GraphQL answers (a null) just go on. HTTP errors,
    /// a web page or the player switched off stop the login before the password is sent.
    private static func probeGeneration(transport: any APITransport, store: CredentialStore, logger: Logger) async throws -> ServerGeneration {
        let api = APIClient(transport: transport, store: store, authentication: .anonymous, logger: logger)
        do {
            _ = try await api.perform(Operations.serverCompatibility())
            return .current
        } catch APIClient.Error.graphQL(let messages) where messages.contains(where: APIClient.namesUnknownField) {
            return .legacy2026_07
        } catch APIClient.Error.graphQL, APIClient.Error.invalidResponse {
            return .current
        } catch APIClient.Error.playerDisabled(let message) {
            throw Error.playerDisabled(message)
        }
    }

    /// Runs a login mutation, turning the server's GraphQL refusals into `Error.refused`.
    private static func refusals(_ body: () async throws -> LoginResult?) async throws -> LoginResult? {
        do {
            return try await body()
        } catch APIClient.Error.graphQL(let messages) {
            throw Error.refused(messages.joined(separator: "; "))
        } catch APIClient.Error.playerDisabled(let message) {
            throw Error.playerDisabled(message)
        }
    }
}
