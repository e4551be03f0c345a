public import Foundation
import MydiaSystem
import MydiaWire

/// What the catalog stores about each file (duration, resolution, codecs, bitrate), read with
/// `ffprobe -v error -print_format json -show_format -show_streams` when a scan finds a new or
/// changed file. (An HLS session asks ffprobe other questions when it starts: `HLSSourceProbe`.)
public struct CatalogProbe: Sendable {
    /// Technical facts about one media file.
    public struct Facts: Sendable, Equatable {
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

        /// Creates facts from their parts.
        public init(duration: Double, resolution: String?, videoCodec: String?, audioCodec: String?, bitrate: Int?) {
            self.duration = duration
            self.resolution = resolution
            self.videoCodec = videoCodec
            self.audioCodec = audioCodec
            self.bitrate = bitrate
        }
    }

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

    /// Probes `file`. Blocks until ffprobe has exited: the library's scan runs on its own thread.
    public func probe(_ file: URL) throws -> Facts {
        // A bare name goes through env(1), which looks it up on PATH as a shell would.
        let (path, lead): (String, [String]) = executable.contains("/") ? (executable, []) : ("/usr/bin/env", [executable])
        let run: ChildProcess.Completion
        do {
            run = try ChildProcess.run(
                executable: path,
                arguments: lead + ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", file.path],
                environment: ProcessInfo.processInfo.environment)
        } catch {
            throw Error.launchFailed(String(describing: error))
        }
        guard run.status == 0 else {
            let message = String(decoding: run.errors.prefix(500), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            throw Error.failed(status: run.status, message: message)
        }
        return try Self.parse(run.output)
    }

    /// Parses ffprobe's JSON report.
    public static func parse(_ data: Data) throws -> Facts {
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
        return Facts(
            duration: duration.isFinite ? max(0, duration) : 0,
            resolution: resolution,
            videoCodec: video?.codec_name.map(DisplayText.sanitized),
            audioCodec: audio?.codec_name.map(DisplayText.sanitized),
            bitrate: report.format?.bit_rate.flatMap { Int($0) })
    }
}
