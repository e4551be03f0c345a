#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MydiaSystem
import Testing

/// PROTOCOL.md §13.76: children start with no signal blocked, every signal at its default, only
/// the standard descriptors, and exactly the environment given.
@Suite struct ChildProcessTests {
    /// The threads of Swift's concurrency pool block nearly every signal, and Foundation's
    /// `Process` passed that mask on: a child started there could not be stopped with SIGTERM.
    @Test func aChildStartedFromThePoolHasNoSignalBlockedAndStopsOnSIGTERM() async throws {
        let (child, poolBlocksTERM) = try await Task.detached { () throws -> (ChildProcess, Bool) in
            var mask = sigset_t()
            pthread_sigmask(SIG_BLOCK, nil, &mask)
            return (try ChildProcess(executable: "/bin/sleep", arguments: ["30"], environment: [:]), sigismember(&mask, SIGTERM) == 1)
        }.value
        #expect(poolBlocksTERM, "the starting thread blocks SIGTERM, as the pool's threads do")
        let status = try String(contentsOfFile: "/proc/\(child.processIdentifier)/status", encoding: .utf8)
        /// A signal mask of /proc/PID/status, standard signals (1–31) only: glibc keeps its two
        /// internal real-time signals (32, 33) as they are.
        func mask(_ name: String) -> UInt64? {
            status.split(separator: "\n").first { $0.hasPrefix(name + ":") }
                .flatMap { UInt64($0.split(separator: "\t").last ?? "", radix: 16) }.map { $0 & 0x7FFF_FFFF }
        }
        #expect(mask("SigBlk") == 0)
        #expect(mask("SigIgn") == 0)
        #expect(child.isRunning)
        child.send(SIGTERM)
        #expect(await child.waitForExit() == 128 + SIGTERM)
        #expect(!child.isRunning && child.exitStatus == 128 + SIGTERM)
        child.send(SIGKILL)  // after the exit: nothing is sent
    }

    /// `stop`: the signal given, then SIGKILL once the grace is over (here no signal, so the kill).
    @Test func stopSignalsThenKillsAfterTheGrace() async throws {
        let polite = try ChildProcess(executable: "/bin/sleep", arguments: ["30"], environment: [:])
        #expect(await polite.stop(sending: SIGTERM, grace: .seconds(30)) == 128 + SIGTERM)
        let deaf = try ChildProcess(executable: "/bin/sleep", arguments: ["30"], environment: [:])
        #expect(await deaf.stop(sending: nil, grace: .milliseconds(200)) == 128 + SIGKILL)
    }

    @Test func exitCodesEnvironmentAndStandardOutput() async throws {
        #expect(await (try ChildProcess(executable: "/bin/sh", arguments: ["-c", "exit 3"], environment: [:])).waitForExit() == 3)
        let output = try await run("/usr/bin/env", [], environment: ["MYDIA_CHILD_TEST": "1"])
        #expect(output == "MYDIA_CHILD_TEST=1\n")
    }

    /// A descriptor the parent opened without close-on-exec does not reach the child.
    @Test func onlyTheStandardDescriptorsReachTheChild() async throws {
        let leaky = open("/dev/null", O_RDONLY)
        #expect(leaky > 2)
        defer { close(leaky) }
        let output = try await run("/bin/sh", ["-c", "ls /proc/$$/fd"], environment: ["PATH": "/usr/bin:/bin"])
        #expect(output.split(separator: "\n").sorted() == ["0", "1", "2"], "\(output)")
    }

    @Test func aMissingProgramIsAnError() {
        #expect(throws: ChildProcess.SpawnError.self) {
            _ = try ChildProcess(executable: "/nonexistent/mydia-child", arguments: [], environment: [:])
        }
    }

    @Test func waitUntilExitBlocksUntilTheExitStatusIsKnown() throws {
        let child = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "sleep 0.2; exit 5"], environment: [:])
        #expect(child.waitUntilExit() == 5)
        #expect(child.waitUntilExit() == 5 && child.exitStatus == 5)
    }

    /// `run` collects standard output and error, each past a pipe's 64 KiB (so neither stalls the
    /// other), feeds the input, and returns once the program has exited, not when it closed its output.
    @Test func runCollectsBothStreamsFeedsTheInputAndWaitsForTheExit() throws {
        let noisy = try ChildProcess.run(
            executable: "/bin/sh", arguments: ["-c", "head -c 200000 /dev/zero; head -c 150000 /dev/zero >&2; exit 3"],
            environment: ["PATH": "/usr/bin:/bin"])
        #expect(noisy.status == 3 && noisy.output.count == 200_000 && noisy.errors.count == 150_000)
        let echo = try ChildProcess.run(executable: "/bin/cat", arguments: [], environment: [:], input: Data("hello".utf8))
        #expect(echo.status == 0 && echo.output == Data("hello".utf8) && echo.errors.isEmpty)
        let late = try ChildProcess.run(executable: "/bin/sh", arguments: ["-c", "exec >&- 2>&-; sleep 0.2; exit 4"], environment: [:])
        #expect(late.status == 4 && late.output.isEmpty)
        #expect(try ChildProcess.run(executable: "/bin/true", arguments: [], environment: [:], input: Data()).status == 0)
    }

    @Test func runRefusesMoreInputThanAPipeHolds() {
        #expect(throws: ChildProcess.SpawnError.self) {
            _ = try ChildProcess.run(executable: "/bin/cat", arguments: [], environment: [:], input: Data(count: ChildProcess.maximumInput + 1))
        }
        #expect(throws: ChildProcess.SpawnError.self) {
            _ = try ChildProcess.run(executable: "/nonexistent/mydia-child", arguments: [], environment: [:])
        }
    }

    /// Runs a child with its standard output on a pipe and returns what it wrote.
    private func run(_ executable: String, _ arguments: [String], environment: [String: String]) async throws -> String {
        let pipe = Pipe()
        let child = try ChildProcess(executable: executable, arguments: arguments, environment: environment,
                                     stdout: .descriptor(pipe.fileHandleForWriting.fileDescriptor))
        try pipe.fileHandleForWriting.close()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        #expect(await child.waitForExit() == 0)
        return String(decoding: data, as: UTF8.self)
    }
}
