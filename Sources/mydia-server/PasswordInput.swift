import Foundation
import MydiaCrypto
#if canImport(Glibc)
import Glibc
#endif

/// Reads a new password for `mydia-server user add`: typed twice on the terminal without echo, or
/// the first line of stdin with `--password-stdin`. The bytes never become a `String`; the
/// caller hands them to the hash, which zeroes them.
enum PasswordInput {
    /// Why no password was read.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Longest line read, in bytes (a password longer than `PasswordHash.maxLength` is then refused
    /// by the hash with its own sentence).
    static let maxLine = 4096

    /// The first line of stdin, without its line ending.
    static func firstLineOfStdin() throws -> [UInt8] {
        var line = try readLine(from: STDIN_FILENO)
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return line
    }

    /// Asks twice on `/dev/tty` with echo off.
    /// - Throws: when there is no terminal, or the two entries differ.
    static func promptTwice() throws -> [UInt8] {
        let tty = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard tty >= 0 else {
            throw Failure(description: "There is no terminal to read the password from — pipe it in with --password-stdin.")
        }
        defer { close(tty) }
        var first = try prompt("Password: ", tty: tty)
        var second = try prompt("Password again: ", tty: tty)
        defer { wipe(&second) }
        guard first == second else {
            wipe(&first)
            throw Failure(description: "The two passwords differ — no user was added.")
        }
        return first
    }

    /// The terminal settings to put back if SIGINT/SIGTERM arrives while echo is off.
    nonisolated(unsafe) private static var saved = termios()
    nonisolated(unsafe) private static var savedFD: Int32 = -1

    private static func prompt(_ text: String, tty: Int32) throws -> [UInt8] {
        write(tty, text)
        var original = termios()
        let isTerminal = tcgetattr(tty, &original) == 0
        if isTerminal {
            saved = original
            savedFD = tty
            let restore: @convention(c) (Int32) -> Void = { number in
                tcsetattr(PasswordInput.savedFD, TCSAFLUSH, &PasswordInput.saved)
                _exit(128 + number)
            }
            signal(SIGINT, restore)
            signal(SIGTERM, restore)
            var silent = original
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(tty, TCSAFLUSH, &silent)
        }
        defer {
            if isTerminal {
                tcsetattr(tty, TCSAFLUSH, &original)
                signal(SIGINT, SIG_DFL)
                signal(SIGTERM, SIG_DFL)
            }
            write(tty, "\n")
        }
        return try readLine(from: tty)
    }

    /// Bytes up to the first newline (or end of input), one read at a time so nothing after the
    /// line is consumed.
    private static func readLine(from fd: Int32) throws -> [UInt8] {
        var line = [UInt8]()
        var byte: UInt8 = 0
        while true {
            let n = read(fd, &byte, 1)
            if n < 0, errno == EINTR { continue }
            guard n > 0, byte != UInt8(ascii: "\n") else { break }
            guard line.count < maxLine else {
                wipe(&line)
                throw Failure(description: "The password line is longer than \(maxLine) bytes.")
            }
            line.append(byte)
        }
        byte = 0
        return line
    }

    private static func write(_ fd: Int32, _ text: String) {
        _ = text.withCString { Glibc.write(fd, $0, strlen($0)) }
    }

    static func wipe(_ bytes: inout [UInt8]) {
        PasswordHash.wipe(&bytes)
    }
}
