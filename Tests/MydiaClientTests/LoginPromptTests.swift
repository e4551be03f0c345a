import Foundation
import MydiaTestSupport
import Testing

/// `mydia-tui login` at a real terminal (tmux): the user, the password and the TOTP code are asked
/// on /dev/tty, the secrets without echo, and the terminal's echo comes back even after Ctrl-C.
@Suite(.serialized, .timeLimit(.minutes(2))) struct LoginPromptTests {
    /// Runs `mydia-tui args` in a tmux pane, then prints its exit status and whether the terminal echoes.
    static func start(_ args: [String], config: String) throws -> Tmux {
        let pane = Tmux()
        let tui = ([Programs.bin.appendingPathComponent("mydia-tui").path] + args).map(Tmux.quote).joined(separator: " ")
        try pane.startShell("MYDIA_CONFIG_DIR=\(Tmux.quote(config)) \(tui); echo \"[exited $?]\"; "
            + "stty -a | tr ' ;' '\\n\\n' | grep -x -e echo -e -echo | sed 's/^/[tty /; s/$/]/'; sleep 600", columns: 160)
        return pane
    }

    static func type(_ pane: Tmux, _ text: String) throws {
        try pane.literal(text)
        try pane.keys("Enter")
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

        let pane = try Self.start(["login", "https://127.0.0.1:\(server.port)", "--ca", certificates.caPEMPath, "--name", "Office"], config: config)
        defer { pane.kill() }
        _ = try await pane.waitFor("User for 127.0.0.1:")
        try Self.type(pane, "alice")
        _ = try await pane.waitFor("Password for alice:")
        try Self.type(pane, FakeStockMydia.password)
        _ = try await pane.waitFor("Code from the authenticator app")
        try Self.type(pane, FakeStockMydia.code)
        let screen = try await pane.waitFor("[tty ")
        #expect(screen.contains("alice") && screen.contains("Logged in to Office as alice."), "\(screen)")
        #expect(!screen.contains(FakeStockMydia.password) && !screen.contains(FakeStockMydia.code), "secrets were echoed:\n\(screen)")
        #expect(screen.contains("[exited 0]") && screen.contains("[tty echo]"), "\(screen)")

        // Ctrl-C at the password prompt ends the command and leaves the terminal echoing.
        let again = try Self.start(["login", "https://127.0.0.1:\(server.port)", "--ca", certificates.caPEMPath, "--user", "bob"], config: config)
        defer { again.kill() }
        _ = try await again.waitFor("Password for bob:")
        try again.keys("C-c")
        let interrupted = try await again.waitFor("[tty ")
        #expect(interrupted.contains("[exited 130]") && interrupted.contains("[tty echo]"), "\(interrupted)")
    }
}
