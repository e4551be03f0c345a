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
    /// - A segment listed but not yet produced (the playlist is FULL) is waited for up to
    ///   ``Configuration/segmentWaitTimeout``, then answered 503 with `retry-after`
    ///   (``Configuration/retryAfterSeconds``, 1 by default; PROTOCOL.md §14.2.6, §14.4). Asking for
    ///   it moves the player's position: production starts there if it would not get there soon.
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
        if hlsPath.components.count == 1, let index = session.playlist.segmentIndex(forName: hlsPath.fileName) {
            switch await waitForSegment(index, sessionId: sessionId) {
            case .ready(let file):
                return FileResponder.response(
                    path: file.path, method: method, headers: headers, chunkSize: configuration.chunkSize)
            case .sessionEnded:
                return Self.unknownSession(method)
            case .timedOut:
                return .error(
                    status: 503, error: "segment_not_ready",
                    message: "The segment is still being made — retry shortly.",
                    headers: ["retry-after": String(configuration.retryAfterSeconds)], method: method)
            case .failed:
                return .error(
                    status: 500, error: "transcode_failed",
                    message: "Making this segment failed — try another file or strategy.", method: method)
            }
        }
        let file = session.mediaDirectory.appendingPathComponent(hlsPath.relativePath).path
        if MediaContentType.isPlaylist(hlsPath.fileName) {
            return FileResponder.playlistResponse(path: file, method: method, chunkSize: configuration.chunkSize)
        }
        return .error(status: 404, error: "not_found", message: "No such HLS file.", method: method)
    }

    enum SegmentWait {
        case ready(URL), timedOut, sessionEnded, failed
    }

    /// How many times one request may start production for its segment before it gives up (a run
    /// that ends without making the segment it was started for would otherwise be restarted forever).
    static let restartsPerRequest = 3

    /// Asks for segment `index` (production restarts there if it would not get there soon) and
    /// waits until it is finished, production fails, the deadline passes, or the session goes away.
    private func waitForSegment(_ index: Int, sessionId: String) async -> SegmentWait {
        let deadline = ContinuousClock.now + configuration.segmentWaitTimeout
        var restarts = 0
        while true {
            guard let before = sessions[sessionId] else { return .sessionEnded }
            do {
                try demand(sessionId, index: index)
            } catch {
                logger.warning("HLS production could not start", metadata: ["session": "\(sessionId)", "error": "\(error)"])
                return .failed
            }
            refresh(sessionId)
            guard let session = sessions[sessionId] else { return .sessionEnded }
            if let file = session.ready[index] { return .ready(file) }
            if session.failed { return .failed }
            if session.runCount != before.runCount {
                restarts += 1
                if restarts > Self.restartsPerRequest { return .failed }
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
