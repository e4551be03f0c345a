public import MydiaAPI
public import MydiaClient
public import MydiaConnection
public import MydiaPlayback

/// What the TUI needs from playback, and nothing more. The real implementation (an adapter over
/// MydiaPlayback: the loopback HLS proxy and mpv) lives outside this module; view-model tests use
/// a fake. Contract:
///
/// - `play(_:)` starts one item and returns its updates. Starting while something plays replaces
///   it (the old stream finishes). The stream finishes after an update whose `phase` is `.ended`
///   or `.failed`, or after `stop()`.
/// - Updates come at least on every change of phase, pause, buffering or path, and about once a
///   second for the position while playing. The UI keeps no clock of its own for playback.
/// - When an episode ends and the show has a next one, the controller announces it in
///   `nextEpisode` with a countdown, and starts it itself when the countdown reaches zero (as a new
///   stream of the same `play` call: the `item` in the update changes). `cancelCountdown()`
///   cancels that; the stream then ends with `.ended`.
/// - Errors are reported as `.failed` with one plain sentence; `play` throws only when the item
///   cannot be started at all (no file, player missing).
public protocol PlaybackController: Sendable {
    /// Starts playing `request`; see the type's contract.
    func play(_ request: PlaybackRequest) async throws -> AsyncStream<PlaybackUpdate>
    /// Starts playing `request` with its movie or episode already looked up (`prepared`, fetched
    /// when the detail pane opened), so the start skips that round trip. (Default: `play(_:)`.)
    func play(_ request: PlaybackRequest, prepared: PlaybackItem?) async throws -> AsyncStream<PlaybackUpdate>
    /// The audio and subtitle tracks remembered for a show (the play menu's preselection), from
    /// the same store as `play --audio/--sub`. (Default: nil, for players that remember nothing.)
    func rememberedTracks(forShow showID: String) async -> TrackSelection?
    /// The UI opened its session to the server: media must flow through this session's
    /// ConnectionManager, the one the status bar shows. (Default: ignored, for players that
    /// need no session.)
    func use(_ session: ClientSession) async
    /// Stops playback (mpv quits, the streaming session ends). No-op when idle.
    func stop() async
    /// Cancels a running next-episode countdown. No-op when none runs.
    func cancelCountdown() async
    /// Switches the playing item to its next audio or subtitle track; one line saying what is on
    /// now, nil when nothing plays. (Default: nil, for players without tracks.)
    func cycleTrack(_ kind: TrackKind) async -> String?
}

extension PlaybackController {
    public func use(_ session: ClientSession) async {}
    public func play(_ request: PlaybackRequest, prepared: PlaybackItem?) async throws -> AsyncStream<PlaybackUpdate> {
        try await play(request)
    }
    public func rememberedTracks(forShow showID: String) async -> TrackSelection? { nil }
    public func cycleTrack(_ kind: TrackKind) async -> String? { nil }
}

/// One item to play.
public struct PlaybackRequest: Sendable, Hashable {
    /// Movie or episode.
    public var kind: MediaKind
    /// The movie or episode id.
    public var itemID: String
    /// The file to stream (`MediaFile.id`).
    public var fileID: String
    /// What the UI calls it ("Signal Hour · S01E02 · Colour Bars").
    public var title: String
    /// Where to start, in seconds (resume), if anywhere but the start.
    public var startPosition: Double?
    /// The audio and subtitle tracks chosen in the play menu (what it leaves open comes from the
    /// show's memory, then mpv and the config), as `play --audio/--sub` would pass them.
    public var tracks: TrackSelection

    /// A request.
    public init(kind: MediaKind, itemID: String, fileID: String, title: String, startPosition: Double? = nil,
                tracks: TrackSelection = TrackSelection()) {
        self.kind = kind
        self.itemID = itemID
        self.fileID = fileID
        self.title = title
        self.startPosition = startPosition
        self.tracks = tracks
    }
}

/// The state of playback at one moment.
public struct PlaybackUpdate: Sendable, Hashable {
    /// Where playback is in its life.
    public enum Phase: Sendable, Hashable {
        /// The session is being set up, mpv is starting.
        case starting
        /// mpv is playing (or paused: see `paused`).
        case playing
        /// The item finished (or playback was stopped).
        case ended
        /// Playback failed; one plain sentence.
        case failed(String)
    }

    /// The next episode, announced when the current one ends.
    public struct NextEpisode: Sendable, Hashable {
        /// What plays next.
        public var request: PlaybackRequest
        /// Seconds until it starts.
        public var secondsLeft: Int

        /// A countdown.
        public init(request: PlaybackRequest, secondsLeft: Int) {
            self.request = request
            self.secondsLeft = secondsLeft
        }
    }

    /// What is playing.
    public var item: PlaybackRequest
    /// The phase.
    public var phase: Phase
    /// Position in seconds.
    public var position: Double
    /// Duration in seconds, once known.
    public var duration: Double?
    /// Paused by the user (in mpv).
    public var paused: Bool
    /// mpv is waiting for data.
    public var buffering: Bool
    /// Which path the media bytes take right now, if known.
    public var path: PathKind?
    /// The next-episode countdown, if one runs.
    public var nextEpisode: NextEpisode?

    /// An update.
    public init(item: PlaybackRequest, phase: Phase, position: Double = 0, duration: Double? = nil, paused: Bool = false,
                buffering: Bool = false, path: PathKind? = nil, nextEpisode: NextEpisode? = nil) {
        self.item = item
        self.phase = phase
        self.position = position
        self.duration = duration
        self.paused = paused
        self.buffering = buffering
        self.path = path
        self.nextEpisode = nextEpisode
    }
}
