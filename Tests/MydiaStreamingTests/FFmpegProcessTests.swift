import Foundation
import Testing

@testable import MydiaStreaming

#if canImport(Glibc)
import Glibc
#endif

/// ffmpeg children stop on SIGTERM (PROTOCOL.md §13.76). Started through Foundation's `Process`
/// from a task, ffmpeg had SIGTERM blocked: every stop waited out the grace period and ended in
/// SIGKILL (exit status 137).
@Suite struct FFmpegProcessTests {
    @Test func anEndlessTranscodeStopsOnSIGTERMNotSIGKILL() async throws {
        let tools = try TestMedia.tools()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("ffmpeg-stop-\(getpid()).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let ffmpeg = try FFmpegProcess(executable: tools.ffmpeg,
                                       arguments: ["-nostdin", "-re", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-f", "null", "-"],
                                       stdout: nil, log: log)
        try await Task.sleep(for: .milliseconds(500))
        #expect(ffmpeg.exitCode == nil, "ffmpeg runs until it is stopped")
        // A grace far beyond ffmpeg's own shutdown: only a SIGTERM that never arrives reaches it.
        await ffmpeg.stop(grace: .seconds(30))
        let status = try #require(ffmpeg.exitCode)
        #expect(status != 128 + SIGKILL, "ffmpeg was killed: SIGTERM did not reach it")
        #expect(String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self).contains("signal 15"))
    }
}
