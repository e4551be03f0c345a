import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

extension HLSSessionManager {
    /// Options shared by both ffmpeg runs: no stdin, quiet log, first real video and first audio
    /// stream only (cover art, subtitles and data streams are dropped).
    /// Input options too: only local files are read (a file that is really a playlist of URLs is
    /// refused, PROTOCOL.md §13.100).
    private var commonArguments: [String] {
        ["-nostdin", "-hide_banner", "-nostats", "-loglevel", "warning", "-protocol_whitelist", "file"]
    }

    private var streamSelection: [String] {
        ["-map", "0:V:0?", "-map", "0:a:0?", "-sn", "-dn"]
    }

    /// HLS_COPY: remux into `media/` and wait for ffmpeg to finish, so the playlist is a complete
    /// VOD playlist with `#EXT-X-ENDLIST` before the session is announced (PROTOCOL.md §12.15).
    /// - Returns: the session, or `nil` when the remux failed and the caller should transcode.
    func remux(
        id: String, file: URL, probe: HLSSourceProbe, start: Double, directory: URL, media: URL, log: URL
    ) async throws -> Session? {
        let playlist = media.appendingPathComponent(Self.playlistName)
        let arguments =
            commonArguments + ["-i", file.path] + streamSelection + [
                "-c", "copy",
                "-f", "hls",
                "-hls_time", String(max(1, configuration.segmentSeconds)),
                "-hls_playlist_type", "vod",
                "-hls_segment_type", "mpegts",
                "-hls_segment_filename", media.appendingPathComponent(HLSPlaylist.segmentFilenamePattern).path,
                playlist.path,
            ]
        let process: FFmpegProcess
        do {
            process = try FFmpegProcess(executable: tools.ffmpeg, arguments: arguments, stdout: nil, log: log)
        } catch {
            throw Error.ffmpegLaunchFailed(String(describing: error))
        }
        let pid = process.processIdentifier
        let status = await withTaskCancellationHandler {
            await process.waitForExit()
        } onCancel: {
            kill(pid, SIGTERM)
        }
        try Task.checkCancellation()
        guard status == 0, let text = try? String(contentsOf: playlist, encoding: .utf8), text.contains("#EXT-X-ENDLIST")
        else {
            logger.warning(
                "HLS_COPY remux failed; transcoding instead",
                metadata: ["session": "\(id)", "status": "\(status)", "ffmpeg": "\(FFmpegProcess.lastLogLine(log))"])
            try? FileManager.default.removeItem(at: media)
            try FileManager.default.createDirectory(at: media, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            return nil
        }
        return Session(
            info: SessionInfo(sessionId: id, duration: probe.duration, startPosition: start, strategy: .hlsCopy,
                              playlistMode: .full),
            directory: directory, mediaDirectory: media, transcoder: nil, playlist: nil, lastAccess: now())
    }

    /// TRANSCODE: write the full playlist ourselves, then start libx264/aac in the background.
    /// Keyframes are forced on every segment boundary so ffmpeg cuts exactly where the playlist
    /// says.
    func transcode(
        id: String, file: URL, probe: HLSSourceProbe, start: Double, maxHeight: Int? = nil, directory: URL, media: URL,
        log: URL
    ) throws -> Session {
        let seconds = max(1, configuration.segmentSeconds)
        let playlist = HLSPlaylist(duration: probe.duration, segmentLength: seconds)
        do {
            try Data(playlist.text.utf8).write(to: media.appendingPathComponent(Self.playlistName), options: .atomic)
        } catch {
            throw Error.storageUnavailable(directory.path)
        }
        var arguments = commonArguments
        if let rate = configuration.transcodeReadRate { arguments += ["-readrate", String(rate)] }
        arguments += ["-i", file.path] + streamSelection
        arguments += [
            "-c:v", "libx264", "-preset", configuration.transcodePreset, "-crf", String(configuration.transcodeCRF),
            // A ceiling keeps the aspect ratio with an even width; otherwise only odd sizes are evened.
            "-pix_fmt", "yuv420p", "-vf", maxHeight.map { "scale=-2:\($0)" } ?? "scale=trunc(iw/2)*2:trunc(ih/2)*2",
            "-force_key_frames", "expr:gte(t,n_forced*\(seconds))", "-sc_threshold", "0",
            "-c:a", "aac", "-b:a", "160k", "-ac", "2",
            "-f", "hls",
            "-hls_time", String(seconds),
            "-hls_playlist_type", "vod",
            // temp_file: a segment appears under its final name only when complete.
            "-hls_flags", "temp_file+independent_segments",
            "-hls_segment_type", "mpegts",
            "-hls_segment_filename", media.appendingPathComponent(HLSPlaylist.segmentFilenamePattern).path,
            // ffmpeg's own playlist (written only when it finishes) stays outside `media/`: the
            // playlist served is the one written above.
            directory.appendingPathComponent("ffmpeg.m3u8").path,
        ]
        let process: FFmpegProcess
        do {
            process = try FFmpegProcess(executable: tools.ffmpeg, arguments: arguments, stdout: nil, log: log)
        } catch {
            throw Error.ffmpegLaunchFailed(String(describing: error))
        }
        return Session(
            info: SessionInfo(sessionId: id, duration: probe.duration, startPosition: start, strategy: .transcode,
                              playlistMode: .full, maxHeight: maxHeight),
            directory: directory, mediaDirectory: media, transcoder: process, playlist: playlist, lastAccess: now())
    }
}
