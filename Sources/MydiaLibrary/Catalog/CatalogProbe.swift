public import Foundation
import MydiaSystem
import MydiaWire

/// What the catalog stores about each file (duration, resolution, codecs, bitrate, container and
/// every video, audio and subtitle stream), read with
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
        /// The container (`mkv`, `mp4`, `webm`, …; see ``MediaContainer``).
        public var container: String?
        /// Every video, audio and subtitle stream in index order (cover art left out).
        public var streams: [MediaStreamFacts]

        /// Creates facts from their parts.
        public init(duration: Double, resolution: String?, videoCodec: String?, audioCodec: String?, bitrate: Int?,
                    container: String? = nil, streams: [MediaStreamFacts] = []) {
            self.duration = duration
            self.resolution = resolution
            self.videoCodec = videoCodec
            self.audioCodec = audioCodec
            self.bitrate = bitrate
            self.container = container
            self.streams = streams
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

    /// What a probe records, in generations: a catalog row written by an older generation is
    /// probed again by the next scan even when its file did not change. 1 = container and streams.
    public static let factsVersion = 1

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
                // Only local files: a "video" that is really a playlist naming URLs is not followed
                // (PROTOCOL.md §13.100).
                arguments: lead + ["-v", "error", "-protocol_whitelist", "file", "-print_format", "json", "-show_format",
                                   "-show_streams", file.path],
                environment: ProcessInfo.processInfo.environment)
        } catch {
            throw Error.launchFailed(String(describing: error))
        }
        guard run.status == 0 else {
            let message = String(decoding: run.errors.prefix(500), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            throw Error.failed(status: run.status, message: message)
        }
        return try Self.parse(run.output, fileExtension: file.pathExtension)
    }

    /// Parses ffprobe's JSON report.
    /// - Parameters:
    ///   - data: the output of `-print_format json -show_format -show_streams`.
    ///   - fileExtension: the probed file's extension, which tells members of one container family
    ///     apart (`mkv`/`webm`, `mp4`/`mov`).
    public static func parse(_ data: Data, fileExtension: String = "") throws -> Facts {
        struct Report: Decodable {
            struct Stream: Decodable {
                var index: Int?
                var codec_type: String?
                var codec_name: String?
                var profile: String?
                var level: Int?
                var width: Int?
                var height: Int?
                var channels: Int?
                var duration: String?
                var disposition: [String: Int]?
                var tags: [String: String]?
            }
            struct Format: Decodable {
                var duration: String?
                var bit_rate: String?
                var format_name: String?
            }
            var streams: [Stream]?
            var format: Format?
        }
        guard let report = try? JSONDecoder().decode(Report.self, from: data) else { throw Error.unreadableOutput }
        // Cover art is a one-frame video stream; it is not the film.
        let raw = (report.streams ?? []).filter { $0.disposition?["attached_pic"] != 1 }
        let video = raw.first { $0.codec_type == "video" }
        let audio = raw.first { $0.codec_type == "audio" }
        let duration = report.format?.duration.flatMap(Double.init)
            ?? video?.duration.flatMap(Double.init) ?? 0
        var resolution: String?
        if let w = video?.width, let h = video?.height { resolution = "\(w)x\(h)" }
        let streams = raw.compactMap { stream -> MediaStreamFacts? in
            guard let index = stream.index, index >= 0,
                  let kind = stream.codec_type.flatMap(MediaStreamFacts.Kind.init(rawValue:)) else { return nil }
            // Tag names are case-insensitive in practice (`language`, `LANGUAGE`, `Title`).
            var tags: [String: String] = [:]
            for (key, value) in stream.tags ?? [:] { tags[key.lowercased()] = value }
            let disposition = stream.disposition ?? [:]
            return MediaStreamFacts(
                index: index, kind: kind, codec: stream.codec_name.map { short($0, 32) },
                profile: stream.profile.map { short($0, 64) }, level: stream.level.flatMap { $0 >= 0 ? $0 : nil },
                language: tags["language"].map { short($0, 16) }.flatMap { $0.isEmpty ? nil : $0 },
                title: tags["title"].map { short($0, 200) }.flatMap { $0.isEmpty ? nil : $0 },
                isDefault: disposition["default"] == 1, isForced: disposition["forced"] == 1,
                isHearingImpaired: disposition["hearing_impaired"] == 1, isCommentary: disposition["comment"] == 1,
                width: kind == .video ? stream.width : nil, height: kind == .video ? stream.height : nil,
                channels: kind == .audio ? stream.channels : nil)
        }
        return Facts(
            duration: duration.isFinite ? max(0, duration) : 0,
            resolution: resolution,
            videoCodec: video?.codec_name.map { short($0, 32) },
            audioCodec: audio?.codec_name.map { short($0, 32) },
            bitrate: report.format?.bit_rate.flatMap { Int($0) },
            container: MediaContainer.name(formatName: report.format?.format_name, fileExtension: fileExtension),
            streams: streams)
    }

    /// A string from the report as stored: no control characters, at most `limit` characters.
    private static func short(_ text: String, _ limit: Int) -> String {
        String(DisplayText.sanitized(text).trimmingCharacters(in: .whitespaces).prefix(limit))
    }
}
