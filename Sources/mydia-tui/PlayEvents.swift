import Foundation
import MydiaConnection
import MydiaPlayback
import Synchronization

/// `mydia-tui play --events json` (hidden, PROTOCOL.md §13.79): the fault lab's view of a playback.
/// One JSON object per line on stdout, `t` = seconds since the command started:
///
/// - one line per ``PlaybackUpdate``: `started` (title, the local 127.0.0.1 URL, the strategy —
///   `direct`, `hls-copy` or `transcode` —, start, duration),
///   `position` (at most one a second; the last one is always printed before `ended`), `paused`,
///   `buffering` (mpv's `paused-for-cache`), `path`, `progress_stored`, `next_episode_countdown`,
///   `autoplay_cancelled`, `skippable` (the skip prompt: `segment` intro/credits or null, `action`
///   skip/nextEpisode), `ended` (`how`: finished, stopped, player_exited, failed);
/// - `connection` on every change of state, path or relay liveness;
/// - `stats` every second: the proxy's counters and the bytes each path delivered;
/// - a last `summary` after `ended`.
///
/// Never a token, the relay URL or a server URL: the lines carry path names and figures only, and
/// a failure sentence has every URL in it replaced by `<url>`.
final class PlayEvents: Sendable {
    private let began: ContinuousClock.Instant
    private let printing = Mutex(())
    private let lastProxy = Mutex<MediaProxy.Statistics?>(nil)
    private let updates = Mutex<Task<Void, Never>?>(nil)
    private let watchers = Mutex<[Task<Void, Never>]>([])

    private init(began: ContinuousClock.Instant) {
        self.began = began
    }

    /// Starts printing `playback`'s updates and, every second, its proxy's and `manager`'s figures.
    static func start(playback: Playback, manager: ConnectionManager, since began: ContinuousClock.Instant) -> PlayEvents {
        let events = PlayEvents(began: began)
        events.updates.withLock { $0 = Task { await events.printUpdates(playback.updates) } }
        let snapshots = Task { await events.printConnectionChanges(manager) }
        let stats = Task {
            while !Task.isCancelled {
                await events.printStats(playback: playback, manager: manager)
                try? await Task.sleep(for: .seconds(1))
            }
        }
        events.watchers.withLock { $0 = [snapshots, stats] }
        return events
    }

    /// Waits for the update stream's end (after `ended`), stops the watchers and prints the summary.
    func finish(_ manager: ConnectionManager) async {
        await updates.withLock { $0 }?.value
        for task in watchers.withLock({ $0 }) {
            task.cancel()
            await task.value
        }
        let snapshot = await manager.snapshot()
        var line = Self.proxyFigures(lastProxy.withLock { $0 }).merging(Self.pathFigures(snapshot)) { $1 }
        line["event"] = "summary"
        emit(line)
    }

    private func emit(_ line: [String: Any]) {
        var line = line
        line["t"] = (Exercise.seconds(ContinuousClock.now - began) * 1000).rounded() / 1000
        printing.withLock { _ in printJSON(line) }
    }

    private func printUpdates(_ updates: AsyncStream<PlaybackUpdate>) async {
        var lastPositionAt: ContinuousClock.Instant?
        var unprinted: [String: Any]?
        for await update in updates {
            if case .position(let seconds, let duration) = update {
                let line: [String: Any] = ["event": "position", "position": seconds, "duration": duration ?? NSNull()]
                if let at = lastPositionAt, ContinuousClock.now - at < .seconds(1) {
                    unprinted = line
                } else {
                    lastPositionAt = ContinuousClock.now
                    unprinted = nil
                    emit(line)
                }
                continue
            }
            if case .ended = update, let pending = unprinted {
                emit(pending)
                unprinted = nil
            }
            emit(Self.line(update))
        }
    }

    private func printConnectionChanges(_ manager: ConnectionManager) async {
        var last: [String: Any]?
        for await snapshot in await manager.snapshots() {
            let line = Exercise.connectionLine(snapshot)
            if let last, NSDictionary(dictionary: last).isEqual(to: line) { continue }
            last = line
            emit(line.merging(["event": "connection"]) { $1 })
        }
    }

    private func printStats(playback: Playback, manager: ConnectionManager) async {
        // Between items (and after the end) there is no proxy: keep the last figures.
        if let current = await playback.proxyStatistics { lastProxy.withLock { $0 = current } }
        let snapshot = await manager.snapshot()
        var line = Self.proxyFigures(lastProxy.withLock { $0 }).merging(Self.pathFigures(snapshot)) { $1 }
        line["event"] = "stats"
        emit(line)
    }

    static func proxyFigures(_ s: MediaProxy.Statistics?) -> [String: Any] {
        guard let s else { return ["requests": 0, "bytes_served": 0, "truncated": 0, "refused": 0, "open_connections": 0] }
        return ["requests": s.requests, "bytes_served": s.bytesServed, "truncated": s.truncated, "refused": s.refused,
                "open_connections": s.openConnections]
    }

    /// State, path and per-path figures; no URL.
    static func pathFigures(_ s: ConnectionSnapshot) -> [String: Any] {
        Exercise.connectionLine(s).merging([
            "relay_bytes_received": s.relay.bytesReceived, "direct_bytes_received": s.direct.bytesReceived,
            "relay_rtt_ms": s.relay.roundTripTime.map { Exercise.seconds($0) * 1000 as Any } ?? NSNull(),
            "direct_rtt_ms": s.direct.roundTripTime.map { Exercise.seconds($0) * 1000 as Any } ?? NSNull(),
        ]) { $1 }
    }

    static func line(_ update: PlaybackUpdate) -> [String: Any] {
        switch update {
        case .started(let s):
            return ["event": "started", "item": s.item.id, "kind": s.item.kind.rawValue, "title": s.title, "url": s.url,
                    "strategy": s.strategy.name, "start_position": s.startPosition, "duration": s.duration]
        case .position(let seconds, let duration):
            return ["event": "position", "position": seconds, "duration": duration ?? NSNull()]
        case .paused(let flag):
            return ["event": "paused", "paused": flag]
        case .buffering(let flag):
            return ["event": "buffering", "buffering": flag]
        case .path(let path):
            return ["event": "path", "path": path?.rawValue ?? NSNull()]
        case .progressStored(let report):
            return ["event": "progress_stored", "kind": report.kind.rawValue, "position": report.position, "duration": report.duration]
        case .nextEpisodeCountdown(let title, let secondsLeft):
            return ["event": "next_episode_countdown", "title": title, "seconds_left": secondsLeft]
        case .autoplayCancelled:
            return ["event": "autoplay_cancelled"]
        case .skippable(let prompt?):
            return ["event": "skippable", "segment": prompt.segment.kind.rawValue, "action": prompt.action.rawValue,
                    "start": prompt.segment.start, "end": prompt.segment.end]
        case .skippable(nil):
            return ["event": "skippable", "segment": NSNull()]
        case .ended(let end):
            switch end {
            case .finished: return ["event": "ended", "how": "finished"]
            case .stopped: return ["event": "ended", "how": "stopped"]
            case .playerExited(let status): return ["event": "ended", "how": "player_exited", "status": status]
            case .failed(let message): return ["event": "ended", "how": "failed", "message": withoutURLs(message)]
            }
        }
    }

    /// `message` with every URL replaced by `<url>` (an error sentence may name a server address).
    static func withoutURLs(_ message: String) -> String {
        message.replacingOccurrences(of: #"[A-Za-z][A-Za-z0-9+.-]*://[^\s'"()<>]+"#, with: "<url>", options: .regularExpression)
    }
}
