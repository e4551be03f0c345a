public import Foundation

/// Where the client keeps its credentials (PROTOCOL.md §1 client storage):
/// `$MYDIA_CONFIG_DIR`, else `$XDG_CONFIG_HOME/mydia-tui`, else `~/.config/mydia-tui`.
public enum ConfigDirectory {
    /// Resolves the directory from an environment (normally `ProcessInfo.processInfo.environment`).
    /// Empty or relative `XDG_CONFIG_HOME` values are ignored, as the XDG spec asks.
    public static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let explicit = environment["MYDIA_CONFIG_DIR"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit, isDirectory: true)
        }
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            return URL(fileURLWithPath: xdg, isDirectory: true).appendingPathComponent("mydia-tui", isDirectory: true)
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home, isDirectory: true)
            .appendingPathComponent(".config", isDirectory: true)
            .appendingPathComponent("mydia-tui", isDirectory: true)
    }
}
