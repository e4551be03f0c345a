import Foundation

/// A scratch home for one `mydia-tui` run under tmux: a temporary folder with its config folder
/// (0700), and the environment that points the client's config, cache, state and home there.
struct TUIWorkspace {
    /// The folder (`<tmp>/mydia-tui-<name>-<uuid>`).
    let path: String
    /// UTF-8 locale, a 256-colour terminal, the client's folders inside ``path``, no backtraces.
    let environment: [String: String]

    init(_ name: String) throws {
        path = NSTemporaryDirectory() + "mydia-tui-\(name)-\(UUID().uuidString)"
        environment = ["LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "xterm-256color", "MYDIA_CONFIG_DIR": path + "/config",
                       "MYDIA_CACHE_DIR": path + "/cache", "XDG_STATE_HOME": path + "/state", "HOME": path,
                       "SWIFT_BACKTRACE": "interactive=no"]
        try FileManager.default.createDirectory(atPath: path + "/config", withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
    }

    /// Removes the folder.
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
