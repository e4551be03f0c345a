import MydiaAPI
public import MydiaConnection

/// How a ``Playback`` runs.
public struct PlaybackOptions: Sendable {
    /// Which player gets the URL.
    public enum Player: Sendable {
        /// The user's mpv, driven over JSON IPC.
        case mpv(MPVPlayer.Configuration)
        /// No player: only the proxy runs (for other players; the URL is in ``PlaybackUpdate/started(_:)``).
        case none
    }

    /// Where playback starts when no explicit start is given.
    public enum Resume: Sendable {
        /// From the server's stored position (unless the item was finished).
        case auto
        /// From the beginning.
        case never
        /// Ask: the closure gets the stored position in seconds and answers whether to resume.
        case ask(@Sendable (Double) async -> Bool)
    }

    /// Which subtitle tracks of the file go to mpv (PROTOCOL.md §14.2.6).
    public enum Subtitles: Sendable, Equatable {
        /// None (`--no-subs`).
        case off
        /// Every track the server delivers as text; one in `preferred` is selected (nil: none is).
        case load(preferred: SubtitleLanguage?)
    }

    /// The player.
    public var player: Player
    /// An explicit start position in seconds (`--start`); overrides ``resume``.
    public var startPosition: Double?
    /// Resume policy when ``startPosition`` is nil.
    public var resume: Resume
    /// The strategy forced by the user (`--strategy`), or nil for the server's preference: with
    /// mpv, direct play when `streamingCandidates` puts it first (falling back to HLS once when the
    /// file route fails at start), else HLS (`HLS_COPY`, then `TRANSCODE` when that fails). A forced
    /// strategy is the only one tried.
    public var strategy: PlaybackStrategy?
    /// Subtitle tracks for mpv.
    public var subtitles: Subtitles
    /// After an episode ends, count down this long and then play the next one (nil: never).
    public var autoplayCountdown: Duration?
    /// How far apart periodic progress reports are while playing (10 s; tests use less).
    public var progressInterval: Duration
    /// While paused, how often the playlist is fetched to keep the session alive (§12.15: 2 min).
    public var pausedKeepAlive: Duration = .seconds(120)
    /// What happens inside an intro or the credits (`[player] skip`, `--skip`).
    public var skip: SkipMode = .ask
    /// The audio and subtitle tracks asked for (`--audio`, `--sub`); what is not asked for comes
    /// from ``trackMemory`` for an episode of a show played before.
    public var tracks = TrackSelection()
    /// Where the tracks chosen per show are remembered (nil: not remembered).
    public var trackMemory: TrackMemory?

    public init(player: Player, startPosition: Double? = nil, resume: Resume = .auto,
                strategy: PlaybackStrategy? = nil, subtitles: Subtitles = .load(preferred: nil),
                autoplayCountdown: Duration? = .seconds(10), progressInterval: Duration = ProgressReporter.interval) {
        self.progressInterval = progressInterval
        self.player = player
        self.startPosition = startPosition
        self.resume = resume
        self.strategy = strategy
        self.subtitles = subtitles
        self.autoplayCountdown = autoplayCountdown
    }
}

/// What a running ``Playback`` publishes, in order.
public enum PlaybackUpdate: Sendable, Equatable {
    /// An item began: its title, the local URL the player got, and where it starts.
    case started(PlaybackStarted)
    /// The playback position and (once known) the duration, in seconds.
    case position(seconds: Double, duration: Double?)
    /// Paused or playing.
    case paused(Bool)
    /// The player waits for data (mpv's `paused-for-cache`).
    case buffering(Bool)
    /// The path media requests take now (relay or direct; nil while offline).
    case path(PathKind?)
    /// The instance stored a progress report.
    case progressStored(ProgressReport)
    /// The next episode starts in `secondsLeft` seconds unless ``Playback/cancelAutoplay()`` is called.
    case nextEpisodeCountdown(title: String, secondsLeft: Int)
    /// The countdown was cancelled.
    case autoplayCancelled
    /// The position entered an intro or the credits and mpv offers the skip (nil: the offer is
    /// gone). Only in ``SkipMode/ask``; ``Playback/skipSegment()`` takes it.
    case skippable(SkipPrompt?)
    /// Playback is over (the last update).
    case ended(PlaybackEnd)
}

/// The facts about an item that started.
public struct PlaybackStarted: Sendable, Equatable {
    /// Which item.
    public var item: PlaybackItem.Reference
    /// ``PlaybackItem/displayTitle``.
    public var title: String
    /// The proxy URL handed to the player (loopback, random prefix, no token).
    public var url: String
    /// How the media reaches the player.
    public var strategy: PlaybackStrategy
    /// The instance's streaming session id (HLS); nil in direct play.
    public var sessionId: String?
    /// Where the player starts, in seconds.
    public var startPosition: Double
    /// The media duration in seconds.
    public var duration: Double
}

/// How a playback ended.
public enum PlaybackEnd: Sendable, Equatable {
    /// The last item played to its end.
    case finished
    /// ``Playback/stop()`` was called, or the user quit mpv.
    case stopped
    /// mpv exited on its own (crashed or was killed) with this status.
    case playerExited(Int32)
    /// Something failed (one sentence).
    case failed(String)
}
