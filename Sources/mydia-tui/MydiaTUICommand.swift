import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import MydiaAPI
import MydiaClient
import MydiaConnection
import MydiaCrypto
import MydiaPlayback
import MydiaTransport
import MydiaSystem
import MydiaWire

@main
struct MydiaTUICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mydia-tui",
        abstract: "A terminal client for a self-hosted mydia media server: pair once, then browse and play from anywhere.",
        discussion: "Exit codes: 0 success, 1 failure, 3 not paired, 4 pairing or login refused, 5 server unreachable (or its certificate not trusted), 6 player missing, 7 credentials rejected (pair or log in again), 64 usage error.",
        version: ClientVersion.current,
        subcommands: [UI.self, Pair.self, Login.self, Servers.self, Status.self, List.self, Show.self, Search.self, Devices.self, Unpair.self, Doctor.self,
                      Play.self, Download.self, Downloads.self, Discover.self, Exercise.self],
        defaultSubcommand: UI.self)

    static func main() async {
        MallocTuning.apply()
        await main(nil)
    }
}

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(help: "Which server to use, paired or logged in to (name or id; default: the newest).") var server: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (logs go to a file).")
    var logLevel = "notice"

    func logger(_ label: String = "mydia.tui") -> Logger {
        LogSetup.bootstrapOnce(level: Logger.Level(rawValue: logLevel) ?? .notice)
        return Logger(label: label)
    }

    func store(_ logger: Logger) throws -> CredentialStore {
        do { return try CredentialStore(logger: logger) } catch { throw CommandFailure(.failure, error.description) }
    }
}

/// Runs a command body, turning every error into one sentence on stderr and a documented exit code.
func runReporting(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let failure as CommandFailure {
        FileHandle.standardError.write(Data((failure.message + "\n").utf8))
        throw failure.status.code
    } catch let error as ExitCode {
        throw error
    } catch {
        let (status, message) = Failures.classify(error)
        FileHandle.standardError.write(Data((message + "\n").utf8))
        throw status.code
    }
}

/// Maps errors from the layers below onto the exit-code table.
enum Failures {
    static func classify(_ error: any Error) -> (ExitStatus, String) {
        if let login = LoginFailures.classify(error) { return login }
        switch error {
        case let e as CredentialStore.Error:
            switch e {
            case .noServers, .notFound, .ambiguous: return (.notPaired, e.description)
            default: return (.failure, e.description)
            }
        case let e as ClientError:
            switch e {
            case .notPaired: return (.notPaired, e.description)
            case .claimNotFound, .claimUnreadable: return (.pairingRefused, e.description)
            case .invalidRelay: return (.usage, e.description)
            case .relayUnreachable: return (.unreachable, e.description)
            }
        case let e as ClaimCode.Error: return (.usage, e.description)
        case let e as TunnelSession.Error:
            if case .refused(let failure) = e {
                switch failure {
                case .deviceRevoked, .deviceUnknown, .authFailed: return (.credentialsRejected, failure.description)
                default: return (.pairingRefused, failure.description)
                }
            }
            return (.unreachable, e.description)
        case let e as RelayConnection.Error:
            switch e {
            case .instanceKeyMismatch, .instanceKeyMissing, .encryptionNotOffered, .wrongInstance: return (.pairingRefused, e.description)
            default: return (.unreachable, e.description)
            }
        case let e as APIClient.Error:
            if case .deviceRevoked = e { return (.credentialsRejected, e.description) }
            return (.failure, e.description)
        case let e as ConnectionManager.Error: return (.unreachable, "\(e)")
        case let e as MPVInstallation.Error: return (.playerMissing, e.description)
        case let e as MPVPlayer.Error: return (.playerMissing, e.description)
        case let e as PlaybackItem.Error: return (.failure, e.description)
        default: return (.failure, "\(error)")
        }
    }
}
