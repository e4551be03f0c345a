import Foundation

/// The presentation times of a file's video keyframes: what an HLS_COPY playlist is cut from
/// (PROTOCOL.md §14.4).
///
/// It is read with ffmpeg, not ffprobe: `ffmpeg -discard:v nokey -copyts -i FILE -map 0:v:0 -c copy
/// -f framecrc -` demuxes without decoding, and demuxers that honour `-discard nokey` (MP4, MPEG-TS)
/// hand over only the keyframes, so the work is a fraction of `ffprobe -show_packets` (which lists
/// every packet) and far less than `ffprobe -skip_frame nokey -show_frames` (which decodes every
/// keyframe: seconds for a 1080p film). Lines without a `F=` field, or whose flags have the key
/// bit, are keyframes; for demuxers that ignore the discard (Matroska) the other lines are skipped.
struct KeyframeIndex: Equatable {
    /// Keyframe presentation times in seconds on the source's timeline, ascending.
    let times: [Double]

    /// Runs the scan on `file`, writing ffmpeg's output to `scratch` (removed afterwards) and its
    /// diagnostics to `log`.
    static func scan(tools: FFmpegTools, file: URL, scratch: URL, log: URL) async throws -> KeyframeIndex {
        let process: FFmpegProcess
        do {
            process = try FFmpegProcess(
                executable: tools.ffmpeg,
                arguments: [
                    "-nostdin", "-hide_banner", "-nostats", "-loglevel", "error", "-protocol_whitelist", "file",
                    "-discard:v", "nokey", "-copyts", "-i", file.path,
                    "-map", "0:V:0", "-c", "copy", "-f", "framecrc", "-",
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
