import Foundation
import MydiaTestSupport
import Testing

/// `mydia-tui login` at a real terminal (tmux): the user, the password and the TOTP code are asked
/// on /dev/tty, the secrets without echo, and the terminal's echo comes back even after Ctrl-C.
@Suite(.serialized, .timeLimit(.minutes(2))) struct LoginPromptTests {
    /// One tmux server on its own socket, running one shell command in a pane.
    final class Pane: Sendable {
        let socket = "mydia-login-test-\(UUID().uuidString.prefix(8))"

        @discardableResult
        func tmux(_ args: [String]) throws -> String {
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

        /// Runs `mydia-tui args`, then prints its exit status and whether the terminal echoes.
        func start(_ args: [String], config: String) throws {
            let tui = ([Programs.bin.appendingPathComponent("mydia-tui").path] + args).map(Self.quote).joined(separator: " ")
            let command = "MYDIA_CONFIG_DIR=\(Self.quote(config)) \(tui); echo \"[exited $?]\"; "
                + "stty -a | tr ' ;' '\\n\\n' | grep -x -e echo -e -echo | sed 's/^/[tty /; s/$/]/'; sleep 600"
            try tmux(["new-session", "-d", "-s", "login", "-x", "160", "-y", "30", "/bin/bash", "-c", command])
        }

        func type(_ text: String) throws {
            try tmux(["send-keys", "-t", "login", "-l", text])
            try tmux(["send-keys", "-t", "login", "Enter"])
        }

        func screen() throws -> String { try tmux(["capture-pane", "-p", "-t", "login"]) }

        func waitFor(_ text: String) async throws -> String {
            let deadline = ContinuousClock.now + .seconds(30)
            var shown = ""
            while ContinuousClock.now < deadline {
                shown = try screen()
                if shown.contains(text) { return shown }
                try await Task.sleep(for: .milliseconds(100))
            }
            Issue.record("timed out waiting for \(text); screen:\n\(shown)")
            throw CancellationError()
        }

        func kill() { _ = try? tmux(["kill-server"]) }

        static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux")))
    func theSecretsAreAskedWithoutEchoAndTheTerminalIsRestored() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let stock = FakeStockMydia(.init(totp: true))
        let server = try await TestHTTPServer.start(identity: try certificates.leaf("stock", subjectAltNames: ["IP:127.0.0.1"])) {
            await stock.respond($0)
        }
        defer { server.close() }
        let config = NSTemporaryDirectory() + "mydia-login-tty-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: config) }

        let pane = Pane()
        defer { pane.kill() }
        try pane.start(["login", "https://127.0.0.1:\(server.port)", "--ca", certificates.caPEMPath, "--name", "Office"], config: config)
        _ = try await pane.waitFor("User for 127.0.0.1:")
        try pane.type("alice")
        _ = try await pane.waitFor("Password for alice:")
        try pane.type(FakeStockMydia.password)
        _ = try await pane.waitFor("Code from the authenticator app")
        try pane.type(FakeStockMydia.code)
        let screen = try await pane.waitFor("[tty ")
        #expect(screen.contains("alice") && screen.contains("Logged in to Office as alice."), "\(screen)")
        #expect(!screen.contains(FakeStockMydia.password) && !screen.contains(FakeStockMydia.code), "secrets were echoed:\n\(screen)")
        #expect(screen.contains("[exited 0]") && screen.contains("[tty echo]"), "\(screen)")

        // Ctrl-C at the password prompt ends the command and leaves the terminal echoing.
        let again = Pane()
        defer { again.kill() }
        try again.start(["login", "https://127.0.0.1:\(server.port)", "--ca", certificates.caPEMPath, "--user", "bob"], config: config)
        _ = try await again.waitFor("Password for bob:")
        try again.tmux(["send-keys", "-t", "login", "C-c"])
        let interrupted = try await again.waitFor("[tty ")
        #expect(interrupted.contains("[exited 130]") && interrupted.contains("[tty echo]"), "\(interrupted)")
    }
}
