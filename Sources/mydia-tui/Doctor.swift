import ArgumentParser
import Foundation
import MydiaAPI
import MydiaClient
import MydiaCrypto
import MydiaTransport
import MydiaWire

struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check the player, the terminal, the configuration and the paths to the server.")
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await runReporting {
            var worst: ExitStatus = .success
            func report(_ ok: Bool, _ line: String, _ failure: ExitStatus = .failure) {
                print("\(ok ? "ok  " : "FAIL") \(line)")
                if !ok && worst == .success { worst = failure }
            }
            let mpv = MpvCheck.run()
            report(mpv.ok, mpv.line, .playerMissing)

            setlocale(LC_ALL, "")
            let codeset = String(cString: nl_langinfo(nl_item(CODESET)))
            report(codeset.uppercased().replacingOccurrences(of: "-", with: "") == "UTF8",
                   "locale: \(ProcessInfo.processInfo.environment["LANG"] ?? "unset") (character set \(codeset); UTF-8 is needed for titles)")
            let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
            var size = winsize()
            let tty = isatty(STDOUT_FILENO) == 1 && ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0
            report(!term.isEmpty && term != "dumb", "terminal: TERM=\(term.isEmpty ? "unset" : term)" + (tty ? ", \(size.ws_col)×\(size.ws_row)" : ", not a terminal"))
            let logger = global.logger()
            print("     config: \(ConfigDirectory.resolve().path)")
            print("     log:    \(FileLogHandler.defaultPath())")

            let store = try global.store(logger)
            guard let server = try? await store.select(global.server) else {
                report(false, "paired server: none — pair with `mydia-tui pair CODE --relay URL`", .notPaired)
                throw worst.code
            }
            report(true, "paired server: \(server.instanceName) (\(server.instanceID))")
            do {
                let started = ContinuousClock.now
                let relay = try await RelayConnection.connect(
                    origin: try RelayOrigin(server.relayURL), instanceID: server.instanceID, pinnedInstanceKey: server.instancePublicKey, logger: logger)
                relay.close()
                report(true, "relay \(server.relayURL): reachable, server online (\(Self.ms(ContinuousClock.now - started)))")
            } catch {
                report(false, "relay \(server.relayURL): \(error)", .unreachable)
            }
            for url in server.directURLs {
                do {
                    let client = try DirectClient(baseURL: url, pin: CertificateFingerprint(hex: server.certFingerprint))
                    let probe = try await client.probe(bearer: server.accessToken, expectedInstanceID: server.instanceID)
                    report(true, "direct \(url): reachable, pinned certificate matches, round trip \(Self.ms(probe.rtt))")
                } catch {
                    // Not fatal: the relay path works without it.
                    print("--   direct \(url): \(error)")
                }
            }
            if worst != .success { throw worst.code }
        }
    }

    static func ms(_ d: Duration) -> String {
        String(format: "%.1f ms", (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) * 1000)
    }
}

/// Is the user's mpv there, and new enough for JSON IPC and `loadfile` over it?
enum MpvCheck {
    static func run() -> (ok: Bool, line: String) {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { "\($0)/mpv" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else { return (false, "mpv: not found — install mpv (e.g. `apt install mpv`) to play anything") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = ["--version"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return (false, "mpv: \(path) does not start") }
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let first = out.split(separator: "\n").first.map(String.init) ?? ""
        // "mpv 0.35.1 Copyright …" or "mpv v0.38.0 …"; JSON IPC with loadfile needs ≥ 0.29.
        let version = first.split(separator: " ").dropFirst().first.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "v")) } ?? ""
        let parts = version.split(separator: ".").compactMap { Int($0.prefix { $0.isNumber }) }
        let ok = parts.count >= 2 && (parts[0] > 0 || parts[1] >= 29)
        return (ok, "mpv: \(path), version \(version.isEmpty ? "unknown" : version)\(ok ? "" : " — too old, 0.29 or newer is needed")")
    }
}
