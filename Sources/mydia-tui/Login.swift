import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import MydiaAPI
import MydiaClient
import MydiaConnection
import MydiaTransport

/// `mydia-tui login URL`: a stock Mydia server by its URL, a user name and a password — no relay,
/// no pairing (PROTOCOL.md §14.2).
struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Log in to a Mydia server with its URL, user name and password (no relay, no claim code).",
        discussion: """
            The password is asked without echo on the terminal, or read from the first line of standard input with \
            --password-stdin (a TOTP or recovery code, when the account has one, from the second line). Only the access \
            token is kept, never the password. https:// is checked against the system's CAs plus --ca, or pinned with \
            --pin-sha256; http:// is accepted only for loopback, private and link-local addresses.
            """)

    @Argument(help: "The server's base URL, e.g. https://media.example.org or http://192.168.1.5:4000.") var url: String
    @Option(help: "The user name or e-mail (asked on the terminal when missing).") var user: String?
    @Flag(name: .customLong("password-stdin"), help: "Read the password from the first line of standard input, and a TOTP code from the second.")
    var passwordStdin = false
    @Option(name: .customLong("ca"), help: ArgumentHelp("A PEM CA certificate to trust for the server's TLS, besides the system's.", valueName: "file"))
    var caFile: String?
    @Option(name: .customLong("pin-sha256"), help: ArgumentHelp(
        "Accept exactly the certificate with this SHA-256 fingerprint (64 hex digits) instead of a CA check.", valueName: "hex"))
    var pinSHA256: String?
    @Option(help: "The name to use with --server for this server (default: its host).") var name: String?
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if caFile != nil && pinSHA256 != nil { throw ValidationError("Give either --ca or --pin-sha256, not both.") }
        if let pinSHA256, Self.normalisedPin(pinSHA256) == nil {
            throw ValidationError("--pin-sha256 takes the certificate's SHA-256 fingerprint: 64 hex digits (colons allowed).")
        }
        if let user, user.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--user must not be empty.") }
    }

    func run() async throws {
        try await runReporting {
            let logger = global.logger()
            let store = try global.store(logger)
            let loginURL: LoginURL
            do throws(LoginURL.Error) { loginURL = try LoginURL(url) } catch { throw CommandFailure(.usage, error.description) }
            let security = try security(for: loginURL)
            // The transport rule before any question: nothing is asked for a URL that is refused.
            let warning: String?
            do throws(LoginURL.Error) { warning = try loginURL.checkTransportPolicy() } catch { throw CommandFailure(.usage, error.description) }
            if let warning { FileHandle.standardError.write(Data((warning + "\n").utf8)) }

            let terminal = passwordStdin && user != nil ? nil : TerminalPrompt()
            let stdin = passwordStdin ? StandardInputLines() : nil
            guard passwordStdin || terminal != nil else {
                throw CommandFailure(.usage, "There is no terminal to ask the password on — pass it on standard input with --password-stdin.")
            }
            let username: String
            if let user {
                username = user.trimmingCharacters(in: .whitespaces)
            } else {
                guard let terminal else { throw CommandFailure(.usage, "Say which user logs in with --user NAME.") }
                guard let typed = terminal.ask("User for \(loginURL.host): ")?.trimmingCharacters(in: .whitespaces), !typed.isEmpty else {
                    throw CommandFailure(.usage, "No user name was given — say which user logs in with --user NAME.")
                }
                username = typed
            }
            let password: String?
            if let stdin { password = stdin.next() } else { password = terminal?.askSecret("Password for \(username): ") }
            guard let password, !password.isEmpty else {
                throw CommandFailure(.usage, passwordStdin ? "Standard input held no password — put it on the first line."
                                                           : "No password was given.")
            }

            let interactive = terminal != nil && isatty(STDERR_FILENO) == 1
            let questions = SecondFactor(terminal: terminal, stdin: stdin)
            let request = URLLogin.Request(url: loginURL, security: security, username: username, password: password,
                                           name: name?.trimmingCharacters(in: .whitespaces), deviceName: hostName())
            let server = try await URLLogin.login(
                request, store: store, logger: logger,
                code: { try questions.code() },
                progress: { step in
                    guard interactive else { return }
                    let line = switch step {
                    case .checkingServer: "Contacting \(loginURL.host)…"
                    case .signingIn: "Signing in…"
                    case .secondFactor: "This account needs a second factor."
                    }
                    FileHandle.standardError.write(Data((line + "\n").utf8))
                })
            print("Logged in to \(server.name) as \(server.username).")
        }
    }

    /// The TLS mode from the flags and the URL's scheme.
    private func security(for url: LoginURL) throws -> LoginServer.Security {
        if url.isPlainHTTP {
            guard caFile == nil, pinSHA256 == nil else {
                throw CommandFailure(.usage, "--ca and --pin-sha256 apply to https:// URLs only — this one is http://.")
            }
            return .plainHTTP
        }
        if let pinSHA256, let pin = Self.normalisedPin(pinSHA256) { return .pinned(sha256: pin) }
        return .verified(caPEM: try caFile.map(Self.readCA))
    }

    /// 64 lowercase hex digits from what `openssl x509 -fingerprint -sha256` or `sha256sum` print.
    static func normalisedPin(_ text: String) -> String? {
        var hex = text.lowercased().filter { $0 != ":" && !$0.isWhitespace }
        if hex.hasPrefix("sha256=") { hex.removeFirst(7) }
        return hex.count == 64 && hex.allSatisfy(\.isHexDigit) ? hex : nil
    }

    /// The `--ca` file's PEM; it must hold at least one certificate (checked again by TLS).
    static func readCA(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path), let pem = String(data: data, encoding: .utf8) else {
            throw CommandFailure(.usage, "The CA file \(path) cannot be read — give a PEM certificate file.")
        }
        guard pem.contains("-----BEGIN CERTIFICATE-----") else {
            throw CommandFailure(.usage, "The CA file \(path) holds no PEM certificate — give a file that starts with -----BEGIN CERTIFICATE-----.")
        }
        return pem
    }

    private func hostName() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, buf.count - 1)
        let host = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return host.isEmpty ? "mydia-tui" : host
    }
}

/// Where the TOTP or recovery code comes from: the second line of standard input, else the terminal.
final class SecondFactor: Sendable {
    private let terminal: TerminalPrompt?
    private let stdin: StandardInputLines?

    init(terminal: TerminalPrompt?, stdin: StandardInputLines?) {
        self.terminal = terminal
        self.stdin = stdin
    }

    func code() throws -> String {
        let typed = stdin != nil ? stdin?.next() : terminal?.askSecret("Code from the authenticator app (or a recovery code): ")
        guard let typed, !typed.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw CommandFailure(.pairingRefused, stdin != nil
                ? "The account needs a TOTP code — put it on the second line of standard input."
                : "The account needs a TOTP code, and none was given.")
        }
        return typed
    }
}

/// Exit codes for what URL login and login servers can fail with (README "Exit codes"):
/// 4 refused by the server, 5 unreachable or TLS refused, 7 the token is no longer accepted.
enum LoginFailures {
    static func classify(_ error: any Error) -> (ExitStatus, String)? {
        switch error {
        case let e as URLLogin.Error: return (.pairingRefused, e.description)
        case let e as LoginURL.Error: return (.usage, e.description)
        case let e as DirectClient.Error: return (.unreachable, e.description)
        case let e as APIClient.Error:
            switch e {
            case .loginExpired: return (.credentialsRejected, e.description)
            case .playerDisabled: return (.pairingRefused, e.description)
            default: return nil
            }
        case let e as ConnectionManager.Error:
            guard case .directUnavailable(.refused(let refusal)) = e else { return nil }
            switch refusal.reason {
            case .credentialsRejected: return (.credentialsRejected, refusal.message)
            case .serviceDisabled: return (.pairingRefused, refusal.message)
            case .certificateNotTrusted: return (.unreachable, refusal.message)
            }
        default: return nil
        }
    }
}
