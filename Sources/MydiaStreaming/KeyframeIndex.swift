import Foundation
import Logging

/// The presentation times of a file's video keyframes: what an HLS_COPY playlist is cut from
/// (PROTOCOL.md §14.4).
///
/// ``read(tools:file:scratch:log:logger:)`` takes them from an MP4/MOV file's own index when it can
/// (``MP4SampleTable``: only the `moov` box is read, so a 2-hour film costs what a clip costs) and
/// scans the file with ffmpeg otherwise (Matroska, MPEG-TS, fragmented or unusual MP4).
///
/// The scan uses ffmpeg, not ffprobe: `ffmpeg -discard:v nokey -copyts -i FILE -map 0:v:0 -c copy
/// -f framecrc -` demuxes without decoding, and demuxers that honour `-discard nokey` (MPEG-TS)
/// hand over only the keyframes (MP4 is scanned without it: see `read`), so the work is a fraction of `ffprobe -show_packets` (which lists
/// every packet) and far less than `ffprobe -skip_frame nokey -show_frames` (which decodes every
/// keyframe: seconds for a 1080p film). Lines without a `F=` field, or whose flags have the key
/// bit, are keyframes; for demuxers that ignore the discard (Matroska) the other lines are skipped.
struct KeyframeIndex: Equatable {
    /// Keyframe presentation times in seconds on the source's timeline, ascending.
    let times: [Double]

    /// The keyframe index of `file`: from its MP4/MOV index if it has a usable one, else by
    /// ``scan(tools:file:scratch:log:discardingNonKeyframes:)``.
    static func read(tools: FFmpegTools, file: URL, scratch: URL, log: URL, logger: Logger? = nil) async throws -> KeyframeIndex {
        do {
            return try fromContainer(file)
        } catch MP4BoxReader.Error.notISOBMFF {
            return try await scan(tools: tools, file: file, scratch: scratch, log: log)
        } catch {
            logger?.debug("The MP4 index was not used; scanning the file", metadata: ["reason": "\(error)"])
            // ffmpeg 5.1's mov demuxer pairs the wrong composition offsets with the keyframes it keeps
            // under `-discard nokey` (B-frame files come out shifted), so MP4 is scanned in full.
            return try await scan(tools: tools, file: file, scratch: scratch, log: log, discardingNonKeyframes: false)
        }
    }

    /// The keyframe index from an MP4/MOV file's `moov` box alone.
    /// - Throws: ``MP4BoxReader/Error`` when the file is not ISO BMFF or its index is damaged or
    ///   laid out in a way this reader does not reproduce exactly.
    static func fromContainer(_ file: URL) throws -> KeyframeIndex {
        let (reader, movie, fileSize) = try MP4MovieBox.read(file)
        let table = try MP4SampleTable(reader: reader, movie: movie)
        guard table.lastChunkOffset < fileSize else { throw MP4BoxReader.Error.malformed("media past the end of the file") }
        return KeyframeIndex(times: try table.keyframeTimes())
    }

    /// Runs the scan on `file`, writing ffmpeg's output to `scratch` (removed afterwards) and its
    /// diagnostics to `log`. With `discardingNonKeyframes`, demuxers that honour it read only the
    /// keyframes (right for MPEG-TS, whose times are in every packet; wrong for MP4 with B-frames).
    static func scan(
        tools: FFmpegTools, file: URL, scratch: URL, log: URL, discardingNonKeyframes: Bool = true
    ) async throws -> KeyframeIndex {
        let process: FFmpegProcess
        do {
            process = try FFmpegProcess(
                executable: tools.ffmpeg,
                arguments: [
                    "-nostdin", "-hide_banner", "-nostats", "-loglevel", "error", "-protocol_whitelist", "file",
                ] + (discardingNonKeyframes ? ["-discard:v", "nokey"] : []) + [
                    "-copyts", "-i", file.path, "-map", "0:V:0", "-c", "copy", "-f", "framecrc", "-",
                ],
                stdout: scratch, log: log)
        } catch {
            throw HLSSessionManager.Error.ffmpegLaunchFailed(String(describing: error))
        }
        let status = await withTaskCancellationHandler {
            await process.waitForExit()
        } onCancel: {
            process.terminate()
        }
        defer { try? FileManager.default.removeItem(at: scratch) }
        try Task.checkCancellation()
        guard status == 0, let data = try? Data(contentsOf: scratch) else { throw HLSSessionManager.Error.unreadableMedia }
        return parse(String(decoding: data, as: UTF8.self))
    }

    /// Parses `framecrc` output: a `#tb 0: NUM/DEN` header, then one line per packet,
    /// `stream, dts, pts, duration, size, crc[, F=0xFLAGS][, S=…]`.
    static func parse(_ text: String) -> KeyframeIndex {
        var numerator = 0.0, denominator = 0.0
        var times: [Double] = []
        for line in text.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("#tb 0:") {
                let fraction = line.dropFirst(6).split(separator: "/")
                if fraction.count == 2,
                    let num = Double(fraction[0].trimmingCharacters(in: .whitespaces)),
                    let den = Double(fraction[1].trimmingCharacters(in: .whitespaces)), num > 0, den > 0
                {
                    (numerator, denominator) = (num, den)
                }
                continue
            }
            guard !line.hasPrefix("#"), denominator > 0 else { continue }
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count >= 6, fields[0] == "0", let pts = Int64(fields[2]) else { continue }
            if let flags = fields.dropFirst(6).first(where: { $0.hasPrefix("F=0x") }) {
                guard let value = Int(flags.dropFirst(4), radix: 16), value & 1 == 1 else { continue }
            }
            times.append(Double(pts) * numerator / denominator)
        }
        return KeyframeIndex(times: times.sorted())
    }
}
