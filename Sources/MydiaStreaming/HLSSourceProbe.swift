import Foundation

/// What ffprobe says about an HLS session's source file when the session starts: enough to choose
/// between remux and transcode and to announce the duration. Stricter than the catalog's probe
/// (`CatalogProbe` in MydiaLibrary): no usable duration is an error, and cover art is not video.
struct HLSSourceProbe: Equatable {
    /// Duration in seconds.
    let duration: Double
    /// Codec name of the first video stream (`h264`, `hevc`, …), if any.
    let videoCodec: String?
    /// Codec name of the first audio stream, if any.
    let audioCodec: String?
    /// Height in pixels of the first video stream, if any.
    var videoHeight: Int? = nil
    /// Where the media starts on its own timeline (the format's `start_time`), in seconds; 0 if unknown.
    var startTime: Double = 0

    /// Codecs that a copy into MPEG-TS HLS segments keeps playable.
    static let copyableVideoCodecs: Set<String> = ["h264", "hevc"]
    /// Audio codecs that MPEG-TS HLS carries.
    static let copyableAudioCodecs: Set<String> = ["aac", "mp3", "ac3", "eac3"]

    /// Longer claimed durations (a week) come from broken headers; listing their segments would
    /// only waste memory.
    static let maximumDuration: Double = 7 * 24 * 3600

    /// Whether `-c copy` into HLS (MPEG-TS segments) yields a playable stream.
    var isCopyableToHLS: Bool {
        guard videoCodec != nil || audioCodec != nil else { return false }
        if let videoCodec, !Self.copyableVideoCodecs.contains(videoCodec) { return false }
        if let audioCodec, !Self.copyableAudioCodecs.contains(audioCodec) { return false }
        return true
    }

    /// Runs ffprobe on `file`, writing its output to `scratch` (removed afterwards) and its
    /// diagnostics to `log`.
    static func run(tools: FFmpegTools, file: URL, scratch: URL, log: URL) async throws -> HLSSourceProbe {
        let process: FFmpegProcess
        do {
            process = try FFmpegProcess(
                executable: tools.ffprobe,
                arguments: [
                    "-v", "error", "-protocol_whitelist", "file",
                    "-show_entries", "format=duration,start_time:stream=codec_type,codec_name,height:stream_disposition=attached_pic",
                    "-of", "json", "-i", file.path,
                ],
                stdout: scratch, log: log)
        } catch {
            throw HLSSessionManager.Error.ffmpegLaunchFailed(String(describing: error))
        }
        let status = await process.waitForExit()
        defer { try? FileManager.default.removeItem(at: scratch) }
        guard status == 0, let data = try? Data(contentsOf: scratch) else { throw HLSSessionManager.Error.unreadableMedia }
        return try parse(data)
    }

    /// Parses ffprobe's `-of json` output.
    static func parse(_ data: Data) throws -> HLSSourceProbe {
        struct Output: Decodable {
            struct Stream: Decodable {
                struct Disposition: Decodable { let attached_pic: Int? }
                let codec_type: String?
                let codec_name: String?
                let height: Int?
                let disposition: Disposition?
                /// Cover art is stored as a one-frame video stream; it is not the video.
                var isAttachedPicture: Bool { disposition?.attached_pic == 1 }
            }
            struct Format: Decodable {
                let duration: String?
                let start_time: String?
            }
            let streams: [Stream]?
            let format: Format?
        }
        guard let output = try? JSONDecoder().decode(Output.self, from: data) else {
            throw HLSSessionManager.Error.unreadableMedia
        }
        guard let text = output.format?.duration, let duration = Double(text), duration.isFinite, duration > 0,
            duration <= maximumDuration
        else {
            throw HLSSessionManager.Error.unknownDuration
        }
        let streams = output.streams ?? []
        let video = streams.first { $0.codec_type == "video" && !$0.isAttachedPicture }
        return HLSSourceProbe(
            duration: duration,
            videoCodec: video?.codec_name,
            audioCodec: streams.first { $0.codec_type == "audio" }?.codec_name,
            videoHeight: video?.height,
            startTime: output.format?.start_time.flatMap(Double.init).flatMap { $0.isFinite && abs($0) < maximumDuration ? $0 : nil } ?? 0)
    }
}
