import ArgumentParser
import Foundation
import MydiaAPI
import MydiaClient
import MydiaCrypto
import MydiaPlayback
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
        do {
            let mpv = try MPVInstallation.locate()
            return (true, "mpv: \(mpv.path), version \(mpv.version)")
        } catch {
            return (false, "mpv: \(error.description)")
        }
    }
}
