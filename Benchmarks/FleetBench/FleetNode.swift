import Foundation

/// One fleet node for the load bench: the real `mydia-relay` binary as a child process with
/// `--store` and `--node-url`, on a loopback port chosen beforehand (the node must know its own
/// URL to name it in `moved`). Its memory is read from `/proc/PID/status`, so the figures are the
/// node's alone.
final class FleetNode: @unchecked Sendable {  // `process` and `port` are set once in init
    let process: Process
    let port: Int

    /// Starts the node and waits for its ready line.
    init(binary: String, port: Int, store: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--host", "127.0.0.1", "--port", "\(port)", "--print-ready", "--log-level", "critical",
            // One loopback address plays every home: lift the per-IP limits (§12.4) out of the way.
            "--connect-limit", "1000000", "--max-connections", "30000", "--max-connections-per-ip", "30000",
            "--store", store, "--node-url", "ws://127.0.0.1:\(port)", "--store-pool", "8",
        ]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        self.port = port
        let reader = LineReader(out.fileHandleForReading)
        let line = reader.readLineBlocking() ?? ""
        guard line.contains("\"ready\"") else {
            process.terminate()
            throw FleetBenchError("mydia-relay did not print its ready line: \(line)")
        }
    }

    var pid: Int32 { process.processIdentifier }

    /// `VmRSS` (now) or `VmHWM` (peak) in MB; -1 if the process is gone.
    func memory(_ field: String) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            let kb = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Double($0) } ?? -1
            return kb / 1024
        }
        return -1
    }

    /// Ends the node.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
