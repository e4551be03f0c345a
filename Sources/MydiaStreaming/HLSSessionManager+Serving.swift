import Foundation
import Logging

extension HLSSessionManager {
    /// Answers `GET`/`HEAD /api/v1/hls/{session_id}/{path}` (PROTOCOL.md §7, §11.16, §12.15, §12.16).
    ///
    /// Authentication is the caller's job (bearer or `?token=`, PROTOCOL.md §11.14).
    /// - Unknown session → 404 `{"error":"not_found","message":"HLS session not found"}`; a path
    ///   that tries to leave the session (`..`, `%2e%2e`, absolute) → 400; a missing file → 404.
    /// - Playlists are served whole with `application/vnd.apple.mpegurl`, never ranged.
    /// - Segments honour `Range`/`If-Range` like ``FileResponder``.
    /// - A TRANSCODE segment listed but not yet produced (the playlist is FULL) is waited for up
    ///   to ``Configuration/segmentWaitTimeout``, then answered 503 with `retry-after`
    ///   (``Configuration/retryAfterSeconds``, 1 by default; PROTOCOL.md §14.2.6, §14.4).
    /// - Parameters:
    ///   - sessionId: the `{session_id}` path segment.
    ///   - path: the rest of the path, raw (percent-encoded) as received; it may be nested.
    ///   - method: `GET` or `HEAD`.
    ///   - headers: request headers; `range` and `if-range` are used.
    public func response(
        sessionId: String, path: String, method: StreamingMethod = .get, headers: [String: String] = [:]
    ) async -> APIResponse {
        guard var session = sessions[sessionId] else { return Self.unknownSession(method) }
        session.lastAccess = now()
        sessions[sessionId] = session

        let hlsPath: HLSPath
        do {
            hlsPath = try HLSPath(raw: path)
        } catch .malformed {
            return .error(status: 400, error: "bad_request", message: "The HLS path is not valid.", method: method)
        } catch {
            return .error(status: 404, error: "not_found", message: "No such HLS file.", method: method)
        }
        let file = session.mediaDirectory.appendingPathComponent(hlsPath.relativePath).path

        if MediaContentType.isPlaylist(hlsPath.fileName) {
            return FileResponder.playlistResponse(path: file, method: method, chunkSize: configuration.chunkSize)
        }
        if let transcoder = session.transcoder, let playlist = session.playlist, hlsPath.components.count == 1,
            playlist.segmentIndex(forName: hlsPath.fileName) != nil
        {
            switch await waitForSegment(named: hlsPath.fileName, session: session, transcoder: transcoder) {
            case .ready:
                break
            case .sessionEnded:
                return Self.unknownSession(method)
            case .timedOut:
                return .error(
                    status: 503, error: "segment_not_ready",
                    message: "The segment is still being transcoded — retry shortly.",
                    headers: ["retry-after": String(configuration.retryAfterSeconds)], method: method)
            case .transcoderFailed:
                logger.warning(
                    "HLS transcode failed",
                    metadata: [
                        "session": "\(sessionId)",
                        "ffmpeg": "\(FFmpegProcess.lastLogLine(session.directory.appendingPathComponent("ffmpeg.log")))",
                    ])
                return .error(
                    status: 500, error: "transcode_failed",
                    message: "Transcoding this file failed — try another file or strategy.", method: method)
            }
        }
        return FileResponder.response(
            path: file, method: method, headers: headers, chunkSize: configuration.chunkSize)
    }

    enum SegmentWait {
        case ready, timedOut, sessionEnded, transcoderFailed
    }

    /// Waits until ffmpeg has finished the segment, ffmpeg has exited, the deadline passes, or the
    /// session goes away. ffmpeg runs with `-hls_flags temp_file`: it writes `segNNNNN.ts.tmp` and
    /// renames it when the segment is complete, so the final name existing means "finished".
    private func waitForSegment(named name: String, session: Session, transcoder: FFmpegProcess) async -> SegmentWait {
        let deadline = ContinuousClock.now + configuration.segmentWaitTimeout
        let segment = session.mediaDirectory.appendingPathComponent(name).path
        while true {
            guard sessions[session.info.sessionId] != nil else { return .sessionEnded }
            if FileManager.default.fileExists(atPath: segment) { return .ready }
            switch transcoder.exitCode {
            case nil: break
            // ffmpeg finished cleanly without this segment: the file is simply absent (→ 404).
            case 0?: return .ready
            default: return .transcoderFailed
            }
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero { return .timedOut }
            do {
                try await Task.sleep(for: min(configuration.segmentPollInterval, remaining))
            } catch {
                return .timedOut
            }
        }
    }

    /// Stock Mydia's words (PROTOCOL.md §14.2.6): a client starts a new session at its position.
    private static func unknownSession(_ method: StreamingMethod) -> APIResponse {
        .error(status: 404, error: "not_found", message: "HLS session not found", method: method)
    }
}
