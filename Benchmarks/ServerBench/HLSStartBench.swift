import Foundation
import Logging
import MydiaStreaming

/// PROTOCOL.md §14.4: time from `startStreamingSession` to the first segment's last byte for an
/// HLS_COPY session on a 2-hour file, divided by the same on a 30 s clip — start-up must not grow
/// with the file: `BENCH hls_start_2h_vs_30s <ratio> x target<=1.2`.
///
/// Both files are low-bitrate test patterns made by ffmpeg here (96×64, 5 fps, a keyframe every
/// 2 s, 8 kHz AAC). Each sample is cold: a fresh session manager, so no keyframe index is cached.
/// Samples alternate between the two files; the median of each is used.
enum HLSStartBench {
    static func run(work: URL) async throws {
        let folder = work.appendingPathComponent("hls-start")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let long = folder.appendingPathComponent("two-hours.mp4"), short = folder.appendingPathComponent("thirty-seconds.mp4")
        for (file, seconds) in [(long, 7200), (short, 30)] {
            try ServerBench.run("/usr/bin/ffmpeg", [
                "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=96x64:rate=5",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000", "-t", String(seconds),
                "-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-b:v", "20k", "-c:a", "aac", "-b:a", "8k",
                "-shortest", file.path,
            ])
        }
        let tools = try FFmpegTools.locate()
        var quiet = Logger(label: "bench-hls")
        quiet.logLevel = .critical
        var longTimes: [Double] = [], shortTimes: [Double] = []
        for round in 0..<7 {
            for (file, isLong) in [(short, false), (long, true)] {
                let manager = HLSSessionManager(
                    configuration: .init(root: folder.appendingPathComponent("sessions-\(round)-\(isLong)")), tools: tools,
                    logger: quiet)
                let started = ContinuousClock.now
                let info = try await manager.start(fileURL: file, strategy: .hlsCopy)
                let response = await manager.response(sessionId: info.sessionId, path: "seg00000.ts")
                guard response.status == 200 else { fatalError("the first segment answered \(response.status)") }
                var bytes = 0
                if case .file(let body) = response.body {
                    for try await chunk in body.readingChunks(of: 64 * 1024) { bytes += chunk.count }
                }
                let elapsed = ContinuousClock.now - started
                guard bytes > 0 else { fatalError("the first segment was empty") }
                let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
                if round > 0 {  // round 0 warms up
                    if isLong { longTimes.append(ms) } else { shortTimes.append(ms) }
                }
                await manager.endAll()
            }
        }
        let a = ServerBench.median(longTimes), b = ServerBench.median(shortTimes)
        print("BENCH hls_start_2h_ms \(ServerBench.round1(a)) ms")
        print("BENCH hls_start_30s_ms \(ServerBench.round1(b)) ms")
        print("BENCH hls_start_2h_vs_30s \(ServerBench.round2(a / b)) x target<=1.2")
    }
}
