public import Foundation
import MydiaSystem
import MydiaWire

/// The user's mpv: where it is and whether it is new enough for what the launcher needs (JSON IPC
/// over `--input-ipc-server`, `loadfile` and `observe_property` there, `--idle=yes`).
public struct MPVInstallation: Sendable, Equatable {
    /// The oldest mpv the launcher supports.
    public static let minimumVersion = [0, 29]

    /// Why mpv cannot be used; `description` is one sentence for the user.
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// No executable `mpv` on `PATH` (or at the given path).
        case notFound(String)
        /// mpv is there but did not answer `--version`.
        case unusable(path: String)
        /// mpv is older than ``MPVInstallation/minimumVersion``.
        case tooOld(path: String, version: String)

        public var description: String {
            switch self {
            case .notFound(let name):
                "The player \(name) was not found — install mpv (e.g. `apt install mpv`) or use --player none."
            case .unusable(let path):
                "The player at \(path) did not start — check the mpv installation."
            case .tooOld(let path, let version):
                "The mpv at \(path) is version \(version), but 0.29 or newer is needed — update mpv."
            }
        }
    }

    /// Absolute path of the executable.
    public let path: String
    /// The version as mpv prints it (e.g. `0.35.1`).
    public let version: String

    /// Finds `name` (a bare name is looked up on `PATH`, a path is used as is) and checks its version.
    public static func locate(_ name: String = "mpv", environment: [String: String] = ProcessInfo.processInfo.environment) throws(Error) -> MPVInstallation {
        let candidates: [String]
        if name.contains("/") {
            candidates = [name]
        } else {
            candidates = (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map { "\($0)/\(name)" }
        }
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { throw .notFound(name) }
        // The same environment the player gets (MPVPlayer): the caller's, less our own settings.
        let run: ChildProcess.Completion
        do {
            run = try ChildProcess.run(executable: path, arguments: ["--no-config", "--version"],
                                       environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MYDIA_") })
        } catch {
            throw .unusable(path: path)
        }
        guard let version = parseVersion(String(decoding: run.output, as: UTF8.self)) else { throw .unusable(path: path) }
        guard isSupported(version) else { throw .tooOld(path: path, version: version) }
        return MPVInstallation(path: path, version: version)
    }

    /// The version from `mpv --version`'s first line: `mpv 0.35.1 Copyright…` or `mpv v0.38.0-…`.
    static func parseVersion(_ output: String) -> String? {
        guard let first = output.split(separator: "\n").first else { return nil }
        let words = first.split(separator: " ")
        guard words.first == "mpv", words.count >= 2 else { return nil }
        var version = words[1]
        if version.hasPrefix("v") { version = version.dropFirst() }
        guard version.first?.isNumber == true else { return nil }
        return String(version)
    }

    /// Whether `version` (e.g. `0.35.1`, `0.38.0-dirty`) is at least ``minimumVersion``.
    static func isSupported(_ version: String) -> Bool {
        let parts = version.split(separator: ".").map { Int($0.prefix { $0.isNumber }) ?? 0 }
        for (index, minimum) in minimumVersion.enumerated() {
            let part = index < parts.count ? parts[index] : 0
            if part != minimum { return part > minimum }
        }
        return true
    }
}
