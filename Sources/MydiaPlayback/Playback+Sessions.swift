import Foundation
import Logging
import MydiaAPI
import MydiaConnection

extension Playback {
    /// Why the current streaming session is checked and, when the instance has forgotten it,
    /// replaced (the messages say which).
    enum Renewal {
        /// The paused keep-alive (§12.15).
        case pausedKeepAlive
        /// The proxy got a 404 for the session's files (§13.44).
        case proxyFound404

        var replacingMessage: Logger.Message {
            switch self {
            case .pausedKeepAlive: "streaming session expired while paused; starting a new one"
            case .proxyFound404: "the server forgot the streaming session (restarted?); continuing on a new one"
            }
        }

        var failedMessage: Logger.Message {
            switch self {
            case .pausedKeepAlive: "could not renew the streaming session"
            case .proxyFound404: "could not replace the streaming session"
            }
        }
    }

    /// Makes `session` the one the proxy's upstream uses and renews when the instance forgets it.
    func useSession(_ session: StreamingSession) {
        renewing.use(session: session.sessionId) { [weak self] forgotten in await self?.replaceForgottenSession(forgotten) }
    }

    /// PROTOCOL.md §12.15: while paused, fetch the playlist every 2 min; a 404 means the instance
    /// dropped the session, so start a new one at the current position and reload it into mpv.
    func keepSessionAlive() async {
        guard let session = streaming, let proxy, let player else { return }
        guard let fresh = await renewSession(session.sessionId, because: .pausedKeepAlive) else { return }
        useSession(fresh)
        let position = state.item?.position ?? 0
        streamOffset = Double(fresh.offset)
        let url = proxy.hlsURL(session: fresh.sessionId).absoluteString
        started?.url = url
        started?.sessionId = fresh.sessionId
        started?.startPosition = position
        do {
            try await player.command([.string("set_property"), .string("start"),
                                      .string(String(format: "%.3f", max(0, position - streamOffset)))])
            await handle(.reloaded)
            try await player.command([.string("loadfile"), .string(url), .string("replace")])
            if let started { continuation.yield(.started(started)) }
        } catch {
            logger.warning(Renewal.pausedKeepAlive.failedMessage, metadata: ["error": "\(error)"])
        }
    }

    /// The proxy got a 404 for the current session's files: when the instance has forgotten the
    /// session (its playlist is gone too), start a new one for the same file and return its id;
    /// the player keeps its URLs (§13.44).
    func replaceForgottenSession(_ forgotten: String) async -> String? {
        await renewSession(forgotten, because: .proxyFound404)?.sessionId
    }

    /// The one renewal sequence: when `id` is still the current session and its playlist answers
    /// 404, starts a new session for the same file at the current position and makes it current.
    /// Returns it; nil when the session is alive, is not current, or could not be replaced.
    private func renewSession(_ id: String, because reason: Renewal) async -> StreamingSession? {
        guard !state.isEnding, let session = streaming, session.sessionId == id, let file,
              let strategy = strategy?.streaming else { return nil }
        let check = PathRequest(method: "GET", path: "/api/v1/hls/\(id)/index.m3u8")
        guard let response = try? await upstream.send(check) else { return nil }
        do { for try await _ in response.body {} } catch {}
        guard response.status == 404, !state.isEnding else { return nil }
        let position = state.item?.position ?? 0
        logger.notice(reason.replacingMessage, metadata: ["position": "\(position)"])
        do {
            let fresh = try await startSession(fileID: file.id, start: position, strategies: [strategy]).session
            guard !state.isEnding else { return nil }
            streaming = fresh
            return fresh
        } catch {
            logger.warning(reason.failedMessage, metadata: ["error": "\(error)"])
            return nil
        }
    }
}
