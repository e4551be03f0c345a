import ArgumentParser

/// The documented exit codes of `mydia-tui` (README, "Exit codes"). Scripts rely on them.
enum ExitStatus: Int32, CaseIterable {
    case success = 0
    case failure = 1
    case notPaired = 3
    case pairingRefused = 4
    case unreachable = 5
    case playerMissing = 6
    case credentialsRejected = 7
    /// Usage errors use ArgumentParser's own code (EX_USAGE).
    case usage = 64

    var code: ExitCode { ExitCode(rawValue) }
}

/// An error that ends the command with one plain sentence on stderr and a documented exit code.
struct CommandFailure: Error, CustomStringConvertible {
    let status: ExitStatus
    let message: String

    init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    var description: String { message }
}
