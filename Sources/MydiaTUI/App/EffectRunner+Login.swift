import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import MydiaAPI
import MydiaClient
import MydiaTransport
import Synchronization

// URL login from the TUI's login screen (PROTOCOL.md §14.2): the transport rule, the trust field
// turned into a TLS mode, `URLLogin.login` with the second factor asked on screen, then the
// session opens like after pairing. Nothing is stored before the server accepted the login.
extension EffectRunner {
    /// Why the CA file named in the trust field cannot be used.
    enum CAFileError: Error, Equatable, CustomStringConvertible {
        case unreadable(String)
        case notPEM(String)

        var description: String {
            switch self {
            case .unreadable(let path): "The CA file \(path) cannot be read — give the path of a PEM certificate file in Trust."
            case .notPEM(let path): "The CA file \(path) holds no PEM certificate — give a file that starts with -----BEGIN CERTIFICATE-----."
            }
        }
    }

    /// Runs one login. The attempt's password becomes a `String` only for the request (the GraphQL
    /// body is text) and the attempt's bytes are wiped when the call ends, whatever the outcome.
    func login(_ attempt: LoginAttempt) {
        let task = Task { [self] in
            var password = attempt.password
            defer { password.wipe() }
            do {
                if let warning = try attempt.url.checkTransportPolicy() { post.yield(.loginWarning(warning)) }
                let request = URLLogin.Request(
                    url: attempt.url, security: try Self.security(attempt.trust), username: attempt.username,
                    password: password.revealedString(), name: nil, deviceName: Self.hostName())
                let server = try await URLLogin.login(
                    request, store: store, logger: logger,
                    code: { [handoff, post] in
                        // The code field appears only once the login waits for it.
                        try await handoff.next { post.yield(.loginProgress(.secondFactor)) }
                    },
                    progress: { [post] step in
                        switch step {
                        case .checkingServer: post.yield(.loginProgress(.checkingServer))
                        case .signingIn: post.yield(.loginProgress(.signingIn))
                        case .secondFactor: break  // announced by the handoff, above
                        }
                    })
                post.yield(.loginProgress(.loggedIn(server.name)))
                open(selection: server.id)
            } catch {
                logger.notice("login failed", metadata: ["server": "\(attempt.url)", "error": "\(error)"])
                let (sentence, field) = Self.loginFailure(error)
                post.yield(.loginFailed(sentence, field: field))
            }
        }
        let old = live.withLock { l -> Task<Void, Never>? in defer { l.login = task }; return l.login }
        old?.cancel()
    }

    /// Gives the waiting login its code; the code's bytes are wiped here.
    func deliverCode(_ code: SecretInput) {
        var code = code
        defer { code.wipe() }
        if !handoff.deliver(code.revealedString()) {
            post.yield(.loginFailed("The login is no longer waiting for a code — type the password again to retry.", field: .password))
        }
    }

    /// The TLS mode the trust field asks for; a CA file is read here.
    static func security(_ trust: LoginTrust) throws -> LoginServer.Security {
        switch trust {
        case .system: return .verified(caPEM: nil)
        case .plainHTTP: return .plainHTTP
        case .pin(let hex): return .pinned(sha256: hex)
        case .caFile(let path):
            let expanded = (path as NSString).expandingTildeInPath
            guard let data = FileManager.default.contents(atPath: expanded), let pem = String(data: data, encoding: .utf8) else {
                throw CAFileError.unreadable(path)
            }
            guard pem.contains("-----BEGIN CERTIFICATE-----") else { throw CAFileError.notPEM(path) }
            return .verified(caPEM: pem)
        }
    }

    /// The sentence for a failed login, in the form's words (the CLI's flags are fields here), and
    /// the field to fix. Refusals are the server's own sentence (§14.2.4).
    static func loginFailure(_ error: any Error) -> (String, LoginForm.Field?) {
        switch error {
        case let e as LoginURL.Error:
            return (e.description, .url)
        case let e as CAFileError:
            return (e.description, .trust)
        case let e as URLLogin.Error:
            if case .playerDisabled = e { return (e.description, nil) }
            return (e.description, .password)
        case let e as LoginCodeHandoff.Cancelled:
            return (e.description, .password)
        case let e as DirectClient.Error:
            switch e {
            case .untrustedCertificate(let presented):
                return ("The server's certificate is not trusted by this computer (self-signed or from an unknown authority) — "
                        + "put the path of the CA that signed it in Trust, or pin this certificate by putting its SHA-256 fingerprint in Trust: "
                        + "\(presented ?? "ask the server's operator for it") (check it with the server's operator first).", .trust)
            case .hostnameMismatch(let host, let presented):
                return ("The server's certificate is not issued for \(host) — use the name it is issued for in the URL, "
                        + "or pin this certificate by putting its SHA-256 fingerprint in Trust: \(presented ?? "ask the server's operator for it").", .trust)
            case .pinMismatch(let presented):
                return ("The server presented a different certificate than the pin in Trust (it presented \(presented)) — "
                        + "check the pin with the server's operator.", .trust)
            case .invalidTrustAnchor(let why):
                return ("The CA file cannot be used: \(why) — give a PEM certificate file in Trust.", .trust)
            case .unreachable(let why):
                return ("The server cannot be reached (\(why)) — check the URL and that the server is running.", .url)
            case .timedOut:
                return ("The server did not answer in time — check the URL and the network.", .url)
            default:
                return (sentence(e), nil)
            }
        default:
            return (sentence(error), nil)
        }
    }

    /// This computer's name, sent as `deviceName` (§14.2.2), as `mydia-tui login` does.
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count - 1)
        let host = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return host.isEmpty ? "mydia-tui" : host
    }
}
