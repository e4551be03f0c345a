public import Foundation

/// The built executables (`mydia-relay`, `mydia-server`, `mydia-tui`) as tests run them: real
/// processes on loopback, stdout read line by line.
public enum Programs {
    /// The build directory that holds the executables (next to the test bundle).
    public static let bin: URL = {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("mydia-tui").path), dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir
    }()

    /// A finished run of a command.
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String

        /// A result, for helpers that run other tools the same way.
        public init(status: Int32, stdout: String, stderr: String) {
            self.status = status
            self.stdout = stdout
            self.stderr = stderr
        }
    }

    /// Runs `mydia-tui` with its config (and log) under `config`, to completion.
    /// - Parameter stdin: what standard input holds (`nil`: the test's own).
    public static func tui(_ args: [String], config: String, environment: [String: String] = [:], stdin: String? = nil) throws -> Result {
        let (p, out, err) = tuiProcess(args, config: config, environment: environment)
        if let stdin {
            let input = Pipe()
            p.standardInput = input
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        } else {
            p.standardInput = FileHandle.standardInput
        }
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}

extension Programs {
    /// `mydia-tui` set up to run with its config (and log) under `config` and `environment` on top
    /// of the test's: standard input empty, output and errors piped. The caller runs it.
    public static func tuiProcess(_ args: [String], config: String, environment: [String: String] = [:]) -> (Process, Pipe, Pipe) {
        let p = Process()
        p.executableURL = bin.appendingPathComponent("mydia-tui")
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment
            .merging(["MYDIA_CONFIG_DIR": config, "XDG_STATE_HOME": config + "/state"]) { $1 }
            .merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        return (p, out, err)
    }

    /// What `handle` gives until its first newline (or its end), as read: the text may go on past
    /// that newline when it came in the same chunk. Blocks; call it inside `withTimeout`.
    public static func readFirstLine(_ handle: FileHandle) -> String {
        var buffer = Data()
        while !buffer.contains(UInt8(ascii: "\n")) {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            buffer += chunk
        }
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Runs one of the built tools (`mydia-server user add …`) to completion with `stdin` as its input.
    public static func run(_ tool: String, _ args: [String], stdin: String = "") throws -> Result {
        let process = Process()
        process.executableURL = bin.appendingPathComponent(tool)
        process.arguments = args
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }
}

/// One long-running program (relay, server, `status --watch`) with its stdout read as lines.
public final class RunningProgram: @unchecked Sendable {  // lines guarded by `lock`; the rest set once in init
    public let process = Process()
    private let stdout = Pipe()
    private let lock = NSLock()
    private var buffer = Data()
    private var lines: [String] = []
    private var closed = false

    /// Starts `tool` from the build directory; its stderr goes to `stderr` (default: nowhere).
    public init(_ tool: String, _ args: [String], environment: [String: String] = [:], stderr: FileHandle? = nil) throws {
        process.executableURL = Programs.bin.appendingPathComponent(tool)
        process.arguments = args
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = stdout
        process.standardError = stderr ?? FileHandle.nullDevice
        stdout.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let chunk = handle.availableData
            guard let self else { return }
            self.lock.lock()
            defer { self.lock.unlock() }
            if chunk.isEmpty {
                self.closed = true
                handle.readabilityHandler = nil
                return
            }
            self.buffer += chunk
            while let newline = self.buffer.firstIndex(of: UInt8(ascii: "\n")) {
                self.lines.append(String(decoding: self.buffer[self.buffer.startIndex..<newline], as: UTF8.self))
                self.buffer.removeSubrange(self.buffer.startIndex...newline)
            }
        }
        try process.run()
    }

    /// Every stdout line so far.
    public var output: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }

    /// Waits (up to `timeout`) for a stdout line that parses as a JSON object matching `predicate`.
    public func waitForJSON(timeout: TimeInterval = 60, after skip: Int = 0,
                            _ predicate: ([String: Any]) -> Bool) throws -> (index: Int, object: [String: Any]) {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let (snapshot, ended) = { lock.lock(); defer { lock.unlock() }; return (lines, closed) }()
            for (i, line) in snapshot.enumerated().dropFirst(skip) {
                if let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], predicate(json) { return (i, json) }
            }
            if ended { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "no matching line from \(process.executableURL?.lastPathComponent ?? "program"); got \(output)"])
    }

    /// The first `"event":"ready"` line (relay and server print one with `--print-ready`).
    public func ready(timeout: TimeInterval = 60) throws -> [String: Any] {
        try waitForJSON(timeout: timeout) { $0["event"] as? String == "ready" }.object
    }

    /// Sends `signal` and waits for the exit; returns the exit status.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
