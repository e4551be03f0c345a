import ArgumentParser
import Foundation
import MydiaAPI
import MydiaClient
import MydiaWire

struct Pair: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Pair with a server using the 6-digit code it shows (or its QR payload).")

    @Argument(help: ArgumentHelp("The claim code, e.g. 123456 or 123-456; - (or nothing) reads it from standard input, or asks on the terminal, so it never shows in the process list.")) var code: String?
    @Option(help: "The relay origin, e.g. https://relay.example.org (http:// only on 127.0.0.1). Default: $MYDIA_RELAY.") var relay: String?
    @Option(name: .customLong("relay-ca"), help: ArgumentHelp(
        "A PEM CA certificate to trust for the relay's TLS, in addition to the system's (test labs, self-hosted relays). Kept with this server's pairing.",
        valueName: "file")) var relayCA: String?
    @Option(help: "The QR payload JSON (skips the relay lookup).") var qr: String?
    @Option(help: "This device's name as the server shows it.") var name: String?
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if code != nil && qr != nil { throw ValidationError("Give either a claim code or --qr, not both.") }
    }

    /// The claim code: the argument, else stdin's first line (`-` or no argument), asked for on the
    /// terminal when stdin is one. Codes in argv are visible to every local user for their 300 s.
    private func claimCode() throws -> String {
        if let code, code != "-" { return code }
        if isatty(STDIN_FILENO) == 1 { FileHandle.standardError.write(Data("Claim code: ".utf8)) }
        guard let line = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces), !line.isEmpty else {
            throw CommandFailure(.usage, "Give the claim code the server shows (as an argument, or on standard input), or --qr with its QR payload.")
        }
        return line
    }

    func run() async throws {
        try await runReporting {
            let logger = global.logger()
            let store = try global.store(logger)
            let deviceName = name ?? defaultDeviceName()
            // Progress steps only for a person at a terminal; a script's stderr gets the pairing check
            // (it must always be shown, §12.6) and, on refusal, exactly one sentence.
            let interactive = isatty(STDERR_FILENO) == 1
            let relayCAPEM = try relayCA.map(readRelayCA)
            let progress: @Sendable (Pairing.Step) -> Void = { step in
                let line: String? = switch step {
                case .lookingUp: interactive ? "Looking up the code…" : nil
                case .connecting(let server): interactive ? "Connecting via the relay to \(server)…" : nil
                case .securing: interactive ? "Securing the connection…" : nil
                case .pairingCheck(let check): "Pairing check: \(check.prefix(3)) \(check.suffix(3)) — it must match the server's screen."
                case .paired: nil
                }
                if let line { FileHandle.standardError.write(Data((line + "\n").utf8)) }
            }
            let credentials: ServerCredentials
            if let qr {
                guard let payload = PairingQRPayload(json: qr) else { throw CommandFailure(.usage, "The QR payload is not a mydia pairing code.") }
                credentials = try await Pairing.pair(qr: payload, relayCAPEM: relayCAPEM, deviceName: deviceName, store: store, logger: logger, progress: progress)
            } else {
                guard let relay = relay ?? ProcessInfo.processInfo.environment["MYDIA_RELAY"] else {
                    throw CommandFailure(.usage, "Say which relay the server uses: --relay https://relay.example.org")
                }
                credentials = try await Pairing.pair(code: try claimCode(), relay: relay, relayCAPEM: relayCAPEM, deviceName: deviceName, store: store, logger: logger, progress: progress)
            }
            print("Paired with \(credentials.instanceName).")
        }
    }

    /// The `--relay-ca` file's PEM; it must hold at least one certificate (checked again by TLS).
    private func readRelayCA(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path), let pem = String(data: data, encoding: .utf8) else {
            throw CommandFailure(.usage, "The relay CA file \(path) cannot be read — give a PEM certificate file.")
        }
        guard pem.contains("-----BEGIN CERTIFICATE-----") else {
            throw CommandFailure(.usage, "The relay CA file \(path) holds no PEM certificate — give a file that starts with -----BEGIN CERTIFICATE-----.")
        }
        return pem
    }

    private func defaultDeviceName() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, buf.count - 1)
        let host = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "mydia-tui on \(host.isEmpty ? "this computer" : host)"
    }
}
