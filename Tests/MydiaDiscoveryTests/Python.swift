import Foundation

/// Finds and runs python3 for the interop tests (python-zeroconf comes from Debian's
/// `python3-zeroconf`, which `scripts/deps.sh` installs for /usr/bin/python3).
enum Python {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A python3 that can `import zeroconf`, if any.
    static let withZeroconf: String? = candidates.first { (try? run($0, ["-c", "import zeroconf"])) != nil }

    /// Any python3.
    static let any: String? = candidates.first { (try? run($0, ["-c", "pass"])) != nil }

    private static var candidates: [String] {
        ["/usr/bin/python3", "/usr/local/bin/python3"].filter { FileManager.default.isExecutableFile(atPath: $0) }
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }
                .filter { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `python` with `arguments` to the end and returns its stdout; throws on a non-zero exit.
    static func run(_ python: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure(description: "python exited with \(process.terminationStatus)") }
        return String(decoding: data, as: UTF8.self)
    }

    /// `scripts/mdns/<name>` in this checkout.
    static func script(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/mdns/\(name)").path
    }
}
