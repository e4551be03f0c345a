import Foundation
#if canImport(Glibc)
import Glibc
#endif
import MydiaSystem

/// Questions to the person at the terminal, on `/dev/tty` (so stdin and stdout stay free for
/// scripts): a line with echo, or a secret with echo off (termios). The terminal's settings come
/// back on every way out, SIGINT and SIGTERM included.
final class TerminalPrompt: Sendable {
    private let fd: Int32

    /// Opens the controlling terminal; `nil` when there is none (a script, a service).
    init?() {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { return nil }
        guard isatty(fd) == 1 else {
            close(fd)
            return nil
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Shows `prompt` and reads one line (without its newline); `nil` at end of input.
    func ask(_ prompt: String) -> String? {
        write(prompt)
        return readLine()
    }

    /// Shows `prompt` and reads one line with echo off; `nil` at end of input.
    func askSecret(_ prompt: String) -> String? {
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { return ask(prompt) }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        quiet.c_lflag |= tcflag_t(ECHONL)
        // Ctrl-C while echo is off must not leave the terminal silent.
        let restore = saved
        let tty = fd
        let trap = SignalTrap([SIGINT, SIGTERM]) { signal in
            var settings = restore
            tcsetattr(tty, TCSAFLUSH, &settings)
            _ = Glibc.write(tty, "\n", 1)
            exit(128 + signal)
        }
        defer {
            tcsetattr(fd, TCSAFLUSH, &saved)
            trap.cancel()
        }
        guard tcsetattr(fd, TCSAFLUSH, &quiet) == 0 else { return ask(prompt) }
        write(prompt)
        return readLine()
    }

    /// Writes a line of information (progress, warnings) to the terminal.
    func say(_ line: String) { write(line + "\n") }

    private func write(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            offset += n
        }
    }

    private func readLine() -> String? {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let n = read(fd, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") { break }
            bytes.append(byte)
        }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Lines of standard input, read one at a time (`--password-stdin`: the password, then the code).
final class StandardInputLines: Sendable {
    /// The next line without its newline; `nil` at end of input.
    func next() -> String? {
        guard var line = Swift.readLine(strippingNewline: true) else { return nil }
        if line.hasSuffix("\r") { line.removeLast() }
        return line
    }
}
