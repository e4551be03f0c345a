import Foundation

/// A throwaway PostgreSQL server for fleet tests (PROTOCOL.md §15): `initdb` into a temporary
/// directory, `postgres` on a free loopback port, trust authentication for the role `relay`. As
/// root the server runs as `nobody` (PostgreSQL refuses to run as root). Stop it with ``shutdown()``.
public final class TestPostgres: Sendable {
    /// Why the server could not be set up.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Directory of Debian's PostgreSQL server binaries, if installed.
    public static let binaries: String? = {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted(by: >)
        return versions.lazy.map { "\(root)/\($0)/bin" }.first { FileManager.default.isExecutableFile(atPath: "\($0)/initdb") }
    }()

    /// `true` where the tests can start a server; the skip message says what to install otherwise.
    public static var isInstalled: Bool { binaries != nil }
    /// Shown when the fleet tests skip.
    public static let skipReason = "PostgreSQL's server binaries are not installed (Debian package postgresql; scripts/deps.sh installs it): the fleet store tests skip."

    /// The loopback port the server listens on.
    public let port: Int
    /// Holds the data directory, the socket and the log.
    public let directory: String
    private let bin: String

    /// The store URL a relay node is given.
    public var url: String { "postgres://relay@127.0.0.1:\(port)/postgres" }

    private init(port: Int, directory: String, bin: String) {
        self.port = port
        self.directory = directory
        self.bin = bin
    }

    /// Creates and starts a fresh server.
    public static func start() async throws -> TestPostgres {
        guard let bin = binaries else { throw Failure(description: skipReason) }
        let directory = try makeDirectory()
        let server = TestPostgres(port: try freePort(), directory: directory, bin: bin)
        try await server.run("\(bin)/initdb", "-D", "\(directory)/data", "-A", "trust", "-U", "relay", "--no-sync", "-E", "UTF8")
        try await server.startServer()
        return server
    }

    /// Starts the server again after ``stop()`` (same data, same port) and waits until it accepts
    /// connections. `postgres` runs as a direct child (not through `pg_ctl start`): a daemon would
    /// inherit the descriptor Foundation watches to see its child exit.
    public func startServer() async throws {
        let args = ["\(bin)/postgres", "-D", "\(directory)/data", "-p", "\(port)", "-k", directory,
                    "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200"]
        let process = Process()
        let asRoot = getuid() == 0
        process.executableURL = URL(fileURLWithPath: asRoot ? "/usr/sbin/runuser" : args[0])
        process.arguments = asRoot ? ["-u", "nobody", "--"] + args : Array(args.dropFirst())
        let logPath = "\(directory)/server.log"
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        _ = try? log.seekToEnd()
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let isReady = "\(bin)/pg_isready"
        for _ in 0..<300 {
            if (try? await capture([isReady, "-h", "127.0.0.1", "-p", "\(port)", "-U", "relay", "-d", "postgres", "-t", "1"])) != nil { return }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        throw Failure(description: "postgres did not start: \(text.suffix(400))")
    }

    /// Stops the server now (`-m immediate`: connections drop as they would on a crash).
    public func stop() async throws {
        try await run("\(bin)/pg_ctl", "-D", "\(directory)/data", "-m", "immediate", "-w", "stop")
    }

    /// Freezes (SIGSTOP) or thaws (SIGCONT) the server and all its backends: connections stay open
    /// and nothing answers, as with a database host that hangs or a network that drops packets.
    public func freeze(_ frozen: Bool) throws {
        guard let pidText = try? String(contentsOfFile: "\(directory)/data/postmaster.pid", encoding: .utf8),
            let postmaster = pidText.split(separator: "\n").first.flatMap({ Int32($0) })
        else { throw Failure(description: "the server is not running") }
        var pids = [postmaster]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == postmaster { pids.append(pid) }
        }
        for pid in pids { kill(pid, frozen ? SIGSTOP : SIGCONT) }
    }

    /// Stops the server if it runs and removes its directory. Synchronous (for `defer`): the
    /// wait happens on a plain thread, never on the caller's executor.
    public func shutdown() {
        try? freeze(false)
        let stopped = DispatchSemaphore(value: 0)
        let (bin, directory) = (self.bin, self.directory)
        Thread.detachNewThread {
            let process = Process()
            let asRoot = getuid() == 0
            let args = ["\(bin)/pg_ctl", "-D", "\(directory)/data", "-m", "immediate", "-w", "stop"]
            process.executableURL = URL(fileURLWithPath: asRoot ? "/usr/sbin/runuser" : args[0])
            process.arguments = asRoot ? ["-u", "nobody", "--"] + args : Array(args.dropFirst())
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            if (try? process.run()) != nil { process.waitUntilExit() }
            try? FileManager.default.removeItem(atPath: directory)
            stopped.signal()
        }
        _ = stopped.wait(timeout: .now() + 30)
    }

    /// Runs `psql -c sql` and returns its unaligned output.
    public func psql(_ sql: String) async throws -> String {
        let bin = "\(self.bin)/psql"
        let psql = FileManager.default.isExecutableFile(atPath: bin) ? bin : "/usr/bin/psql"
        return try await capture([psql, "-h", "127.0.0.1", "-p", "\(port)", "-U", "relay", "-d", "postgres", "-At", "-c", sql])
    }

    private func run(_ arguments: String...) async throws {
        _ = try await capture(arguments)
    }

    /// Runs a PostgreSQL tool (as `nobody` when root) off the caller's thread. Its output goes to a
    /// file, not a pipe: `pg_ctl start` leaves the server running, which could hold a pipe open.
    private func capture(_ arguments: [String]) async throws -> String {
        let process = Process()
        let asRoot = getuid() == 0
        process.executableURL = URL(fileURLWithPath: asRoot ? "/usr/sbin/runuser" : arguments[0])
        process.arguments = asRoot ? ["-u", "nobody", "--"] + arguments : Array(arguments.dropFirst())
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let outPath = "\(directory)/tool-\(UUID().uuidString.prefix(8)).out"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardOutput = out
        process.standardError = out
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try? out.close()
        let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: outPath)
        guard status == 0 else {
            throw Failure(description: "\((arguments[0] as NSString).lastPathComponent) failed: \(text.suffix(400))")
        }
        return text
    }

    /// A directory the server's user can write: under TMPDIR (or /tmp), else /dev/shm.
    private static func makeDirectory() throws -> String {
        for base in [NSTemporaryDirectory(), "/tmp", "/dev/shm"] {
            let path = (base as NSString).appendingPathComponent("mydia-pg-\(UUID().uuidString.prefix(8))")
            guard (try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)) != nil else { continue }
            if getuid() == 0 {
                chown(path, 65534, 65534)
                // nobody must reach it through every parent.
                let probe = Process()
                probe.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
                probe.arguments = ["-u", "nobody", "--", "test", "-w", path]
                try? probe.run()
                probe.waitUntilExit()
                guard probe.terminationStatus == 0 else {
                    try? FileManager.default.removeItem(atPath: path)
                    continue
                }
            }
            return path
        }
        throw Failure(description: "no temporary directory is writable by the PostgreSQL server's user")
    }

    /// A loopback TCP port nothing listens on right now.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw Failure(description: "could not pick a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
