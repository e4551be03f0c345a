public import Logging
public import MydiaAPI
public import MydiaConnection

extension Playback {
    /// Plays `item`, already looked up by the caller (the TUI's detail pane fetched it moments
    /// before Enter): the same start as ``start(api:manager:itemID:options:logger:clock:)`` without
    /// resolving the id again, one round trip fewer on the way to the first frame (issue 20).
    /// - Parameters:
    ///   - item: the movie or episode as the instance described it (with its files).
    public static func start(api: APIClient, manager: ConnectionManager, item: PlaybackItem, options: PlaybackOptions,
                             logger: Logger, clock: some Clock<Duration> = ContinuousClock()) async throws -> Playback {
        let (rejections, rejected) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let upstream = LoginWatchUpstream(base: ConnectionUpstream(manager: manager, api: api), rejected: rejected)
        let playback = Playback(api: api, upstream: upstream, options: options, logger: logger, clock: ManagerClock(clock))
        await playback.launchPlayer()
        await playback.watchRejections(rejections)
        try await playback.beginFirst(item)
        return playback
    }
}
