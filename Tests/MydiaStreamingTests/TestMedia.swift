import Foundation

#if canImport(Glibc)
import Glibc
#endif
import Testing

@testable import MydiaStreaming

/// Real media made once per test run with the real ffmpeg, plus small helpers.
enum TestMedia {
    /// Clips are shared by all test runs on this machine (made once, published by an atomic rename).
    static let fixtures: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mydia-streaming-test-clips-v1", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Scratch folder shared by test runs; every test removes the unique sub-folders it creates.
    static let folder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mydia-streaming-tests", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// A 12 s H.264/AAC clip (keyframe every 2 s) that HLS_COPY can remux.
    static let clip: URL = make(
        "clip.mp4",
        ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440",
         "-t", "12", "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-c:a", "aac", "-shortest"])

    /// A 4 s MPEG-4 Part 2 / MP2 clip: codecs HLS_COPY cannot carry, so it must transcode.
    static let uncopyableClip: URL = make(
        "uncopyable.mkv",
        ["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-f", "lavfi", "-i", "sine=frequency=440",
         "-t", "4", "-c:v", "mpeg4", "-c:a", "mp2", "-shortest"])

    /// A 20-minute, low-bitrate H.264/AAC test pattern (96×64, 5 fps, a keyframe every 17 frames =
    /// 3.4 s, so HLS_COPY segments are 6.8 s, not the 4 s target): long enough that remuxing it all
    /// would show, quick to make.
    static let longClip: URL = make("long-20min.mp4", lowBitrate(seconds: 1200))

    /// The same pattern for 30 s, to compare the long one with.
    static let shortClip: URL = make("short-30s.mp4", lowBitrate(seconds: 30))

    static func lowBitrate(seconds: Int) -> [String] {
        ["-f", "lavfi", "-i", "testsrc2=size=96x64:rate=5", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000",
         "-t", String(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", "17", "-keyint_min", "17",
         "-sc_threshold", "0", "-b:v", "20k", "-c:a", "aac", "-b:a", "8k", "-shortest"]
    }

    private static func make(_ name: String, _ arguments: [String]) -> URL {
        let output = fixtures.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: output.path) { return output }
        let partial = fixtures.appendingPathComponent("\(UUID().uuidString)-\(name)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffmpeg", "-nostdin", "-y", "-loglevel", "error"] + arguments + [partial.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try? process.run()
        process.waitUntilExit()
        if process.terminationStatus == 0 { _ = rename(partial.path, output.path) }
        try? FileManager.default.removeItem(at: partial)
        return output
    }

    /// A fresh, empty folder.
    static func freshFolder(_ label: String) -> URL {
        let url = folder.appendingPathComponent("\(label)-\(UUID().uuidString)", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A file of `count` bytes whose byte i is `i % 251`.
    static func patternFile(count: Int) throws -> URL {
        let url = freshFolder("pattern").appendingPathComponent("data.mp4")
        try Data((0..<count).map { UInt8($0 % 251) }).write(to: url)
        return url
    }

    static func tools() throws -> FFmpegTools { try FFmpegTools.locate() }

    /// Runs a tool (ffprobe, ffmpeg, mpv) to its end; returns its exit status and standard output.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Presentation times of the video keyframes of `file`, as ffprobe lists them (independent of
    /// the server's own scan).
    static func keyframes(_ file: URL) throws -> [Double] {
        let listing = try run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time,flags",
                                          "-of", "csv=p=0", file.path]).output
        return listing.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: ",")
            guard fields.count >= 2, fields[1].hasPrefix("K") else { return nil }
            return Double(fields[0])
        }.sorted()
    }

    /// The presentation time of the first video packet of a segment file.
    static func firstVideoTime(_ file: URL) throws -> Double? {
        let listing = try run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time",
                                          "-of", "csv=p=0", file.path]).output
        return listing.split(whereSeparator: \.isNewline).first.flatMap { Double($0.split(separator: ",")[0]) }
    }

    /// Ends every session of `manager` and removes its root folder.
    static func cleanUp(_ manager: HLSSessionManager) async {
        await manager.endAll()
        try? FileManager.default.removeItem(at: await manager.configuration.root)
    }
}

extension APIResponse {
    /// The body bytes, and the size of every chunk it came in.
    func collect() async throws -> (bytes: [UInt8], chunks: [Int]) {
        switch body {
        case .bytes(let bytes) where bytes.isEmpty: return ([], [])
        case .bytes(let bytes): return (bytes, [bytes.count])
        case .file(let file): return try await Self.collect(file)
        case .stream(let stream): return try await Self.collect(stream)
        }
    }

    private static func collect(_ chunks: some AsyncSequence<[UInt8], any Error>) async throws -> (bytes: [UInt8], chunks: [Int]) {
        var all: [UInt8] = []
        var sizes: [Int] = []
        for try await chunk in chunks {
            all += chunk
            sizes.append(chunk.count)
        }
        return (all, sizes)
    }

    var text: String {
        get async throws { String(decoding: try await collect().bytes, as: UTF8.self) }
    }
}

/// Parses a media playlist into (duration, uri) pairs.
func playlistEntries(_ text: String) -> [(duration: Double, uri: String)] {
    var entries: [(Double, String)] = []
    var pending: Double?
    for line in text.split(whereSeparator: \.isNewline).map(String.init) {
        if line.hasPrefix("#EXTINF:") {
            pending = Double(line.dropFirst(8).split(separator: ",")[0])
        } else if !line.hasPrefix("#"), let duration = pending {
            entries.append((duration, line))
            pending = nil
        }
    }
    return entries
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(10), _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}
