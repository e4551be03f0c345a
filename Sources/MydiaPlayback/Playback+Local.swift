import Foundation
public import Logging
public import MydiaAPI
public import MydiaConnection

/// A downloaded file and its subtitle files, played without asking the server for media (issue 20).
public struct LocalMedia: Sendable, Hashable {
    /// The file's absolute path; mpv gets it as it is (no proxy, nothing secret in it).
    public var path: String
    /// Subtitle files by the server's track id.
    public var subtitles: [String: String]

    public init(path: String, subtitles: [String: String] = [:]) {
        self.path = path
        self.subtitles = subtitles
    }
}

extension Playback {
    /// Plays `item` from `local`, a downloaded file, with no network needed: nothing is resolved
    /// or fetched from the server. Progress goes through the same queue as online (``ProgressReporter``):
    /// stored when the server answers, retried while it does not; what is still queued at the end
    /// is in ``pendingProgress()``. An episode's autoplay streams the next one from the server.
    /// - Parameters:
    ///   - item: the catalog entry saved with the download.
    ///   - local: its file and subtitle files.
    public static func start(api: APIClient, manager: ConnectionManager, item: PlaybackItem, local: LocalMedia, options: PlaybackOptions,
                             logger: Logger, clock: some Clock<Duration> = ContinuousClock()) async throws -> Playback {
        let (rejections, rejected) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let upstream = LoginWatchUpstream(base: ConnectionUpstream(manager: manager, api: api), rejected: rejected)
        let playback = Playback(api: api, upstream: upstream, options: options, logger: logger, clock: ManagerClock(clock))
        await playback.watchRejections(rejections)
        await playback.useLocal(local)
        try await playback.beginFirst(item)
        return playback
    }

    func useLocal(_ media: LocalMedia?) {
        local = media
    }

    /// Progress reports not yet stored by the server (offline playback keeps them for later).
    public func pendingProgress() async -> [ProgressReport] {
        await reporter.pending
    }
}
