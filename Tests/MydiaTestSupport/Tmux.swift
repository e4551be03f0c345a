public import Foundation

/// A private tmux server (its own socket) driving one real `mydia-tui` process: send keys,
/// capture the pane (optionally with escapes), resize, wait for text.
public final class Tmux: @unchecked Sendable {  // used from one test task at a time
    public let socket = "mydia-tui-test-\(UUID().uuidString.prefix(8))"
    public let session = "tui"

    public static var available: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") }

    /// Runs a tmux command and returns its stdout. posix_spawn + waitpid rather than Process:
    /// the command that starts the tmux server forks a daemon, and Foundation's Process on Linux
    /// was seen never to notice the client's exit from an async test.
    @discardableResult
    public func run(_ args: [String]) throws -> String {
        let path = NSTemporaryDirectory() + "\(socket)-\(UUID().uuidString).out"
        defer { unlink(path) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ["/usr/bin/tmux", "-L", socket, "-f", "/dev/null"] + args
        var cargs = argv.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/usr/bin/tmux", &actions, nil, &cargs, environ)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    public init() {}

    /// What a wait gave up on, with the screen it last saw.
    public struct Timeout: Error, CustomStringConvertible {
        public let what: String
        public let screen: String
        public var description: String { "timed out waiting for \(what); screen:\n\(screen)" }
    }

    /// Runs a shell `command` in a new window of `columns` × `rows` (for a test that needs more
    /// around the program than ``start(_:environment:columns:rows:)`` gives).
    public func startShell(_ command: String, columns: Int = 100, rows: Int = 30) throws {
        try run(["new-session", "-d", "-s", session, "-x", "\(columns)", "-y", "\(rows)", "/bin/bash", "-c", command])
    }

    /// Starts `mydia-tui args` in a new window of `columns` × `rows` with `environment`.
    public func start(_ args: [String], environment: [String: String], columns: Int = 100, rows: Int = 30) throws {
        let env = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quote($0.value))" }.joined(separator: " ")
        // The shell reports the exit status on the pane and keeps it open to be read.
        let unset = environment["NO_COLOR"] == nil ? "-u NO_COLOR " : ""  // the caller's NO_COLOR must not leak in
        let tui = "env \(unset)\(env) \(Self.quote(Programs.bin.appendingPathComponent("mydia-tui").path)) \(args.map(Self.quote).joined(separator: " "))"
        let command = "\(tui); echo \"[mydia-tui exited $?]\"; sleep 600"
        try run(["new-session", "-d", "-s", session, "-x", "\(columns)", "-y", "\(rows)", "/bin/sh", "-c", command])
    }

    public func keys(_ keys: String...) throws { try run(["send-keys", "-t", session] + keys) }
    public func literal(_ text: String) throws { try run(["send-keys", "-t", session, "-l", text]) }
    public func capture(escapes: Bool = false) throws -> String { try run(["capture-pane", "-p", "-t", session] + (escapes ? ["-e"] : [])) }
    public func resize(columns: Int, rows: Int) throws { try run(["resize-window", "-t", session, "-x", "\(columns)", "-y", "\(rows)"]) }
    public func format(_ f: String) throws -> String { try run(["display-message", "-p", "-t", session, f]).trimmingCharacters(in: .whitespacesAndNewlines) }

    /// Polls the pane until `predicate` holds (generous bound for a loaded machine).
    @discardableResult
    public func waitFor(_ what: String, timeout: Duration = .seconds(30), _ predicate: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var screen = ""
        while ContinuousClock.now < deadline {
            screen = try capture()
            if predicate(screen) { return screen }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Timeout(what: what, screen: screen)
    }

    @discardableResult
    public func waitFor(_ text: String, timeout: Duration = .seconds(30)) async throws -> String {
        try await waitFor("\"\(text)\"", timeout: timeout) { $0.contains(text) }
    }

    /// Waits until mydia-tui has exited; returns its status as the shell saw it.
    public func waitForExit(timeout: Duration = .seconds(20)) async throws -> Int {
        let screen = try await waitFor("[mydia-tui exited", timeout: timeout)
        guard let r = screen.range(of: "[mydia-tui exited ") else { return -1 }
        return Int(screen[r.upperBound...].prefix { $0.isNumber }) ?? -1
    }

    /// The pid of mydia-tui: the child of the pane's shell.
    public func tuiPID() throws -> pid_t? {
        let shell = try format("#{pane_pid}")
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int32(entry) != nil {
            guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, String(fields[1]) == shell { return pid_t(entry) }
        }
        return nil
    }

    public func kill() { _ = try? run(["kill-server"]) }

    public static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
