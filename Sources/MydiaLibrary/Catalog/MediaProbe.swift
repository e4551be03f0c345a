public import Foundation
import MydiaWire

/// Technical facts about one media file, read with `ffprobe`.
public struct MediaProbeResult: Sendable, Equatable {
    /// Seconds; 0 when the container does not say.
    public var duration: Double
    /// `WIDTHxHEIGHT` of the first video stream, e.g. `1920x1080`.
    public var resolution: String?
    /// Codec name of the first video stream (`h264`, `hevc`, …).
    public var videoCodec: String?
    /// Codec name of the first audio stream (`aac`, `opus`, …).
    public var audioCodec: String?
    /// Container bitrate in bits per second.
    public var bitrate: Int?

    /// Creates a result from its parts.
    public init(duration: Double, resolution: String?, videoCodec: String?, audioCodec: String?, bitrate: Int?) {
        self.duration = duration
        self.resolution = resolution
        self.videoCodec = videoCodec
        self.audioCodec = audioCodec
        self.bitrate = bitrate
    }
}

/// Runs `ffprobe -v error -print_format json -show_format -show_streams` on a file.
public struct MediaProbe: Sendable {
    /// Why a file could not be probed.
    public enum Error: Swift.Error, CustomStringConvertible {
        /// ffprobe is not installed or not executable.
        case launchFailed(String)
        /// ffprobe rejected the file (not media, truncated, unreadable).
        case failed(status: Int32, message: String)
        /// ffprobe's output was not its JSON report.
        case unreadableOutput

        /// One plain sentence.
        public var description: String {
            switch self {
            case .launchFailed(let why): "ffprobe could not be started (\(why)) — install ffmpeg or pass its path."
            case .failed(let status, let message): "ffprobe failed with status \(status): \(message)"
            case .unreadableOutput: "ffprobe printed something that is not its JSON report."
            }
        }
    }

    /// Path of the `ffprobe` executable.
    public var executable: String

    /// - Parameter executable: the `ffprobe` binary; a bare name is looked up on `PATH`.
    public init(executable: String = "ffprobe") {
        self.executable = executable
    }

    /// Probes `file`.
    public func probe(_ file: URL) throws -> MediaProbeResult {
        let process = Process()
        if executable.contains("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = []
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable]
        }
        process.arguments! += ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", file.path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw Error.launchFailed(String(describing: error)) }
        // Read both pipes before waiting so a chatty ffprobe cannot block on a full pipe.
        let errData = LockedData()
        let errDone = DispatchSemaphore(value: 0)
        let errThread = Thread {
            errData.set(err.fileHandleForReading.readDataToEndOfFile())
            errDone.signal()
        }
        errThread.start()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        errDone.wait()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errData.value.prefix(500), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            throw Error.failed(status: process.terminationStatus, message: message)
        }
        return try Self.parse(data)
    }

    /// Parses ffprobe's JSON report.
    public static func parse(_ data: Data) throws -> MediaProbeResult {
        struct Report: Decodable {
            struct Stream: Decodable {
                var codec_type: String?
                var codec_name: String?
                var width: Int?
                var height: Int?
                var duration: String?
            }
            struct Format: Decodable {
                var duration: String?
                var bit_rate: String?
            }
            var streams: [Stream]?
            var format: Format?
        }
        guard let report = try? JSONDecoder().decode(Report.self, from: data) else { throw Error.unreadableOutput }
        let streams = report.streams ?? []
        let video = streams.first { $0.codec_type == "video" }
        let audio = streams.first { $0.codec_type == "audio" }
        let duration = report.format?.duration.flatMap(Double.init)
            ?? video?.duration.flatMap(Double.init) ?? 0
        var resolution: String?
        if let w = video?.width, let h = video?.height { resolution = "\(w)x\(h)" }
        return MediaProbeResult(
            duration: duration.isFinite ? max(0, duration) : 0,
            resolution: resolution,
            videoCodec: video?.codec_name.map(DisplayText.sanitized),
            audioCodec: audio?.codec_name.map(DisplayText.sanitized),
            bitrate: report.format?.bit_rate.flatMap { Int($0) })
    }
}

/// Data written once by a reader thread, guarded by a lock.
private final class LockedData: @unchecked Sendable {  // guarded by `lock`
    private let lock = NSLock()
    private var data = Data()

    func set(_ value: Data) { lock.withLock { data = value } }
    var value: Data { lock.withLock { data } }
}
