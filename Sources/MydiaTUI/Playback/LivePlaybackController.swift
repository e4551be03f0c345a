public import Logging
import MydiaAPI
public import MydiaClient
import MydiaConnection
public import MydiaPlayback
public import MydiaDownloads

/// The UI's ``PlaybackController`` on the real thing: MydiaPlayback's loopback HLS proxy over the
/// session's ConnectionManager and the user's mpv over JSON IPC. One playback at a time; its
/// updates are folded into the UI's whole-state ``MydiaTUI.PlaybackUpdate``.
public actor LivePlaybackController: PlaybackController {
    private let mpvArguments: [String]
    private let autoplayCountdown: Duration?
    private let subtitleLanguage: SubtitleLanguage?
    private let skip: SkipMode
    private let trackMemory: TrackMemory?
    private let downloads: DownloadDirectory
    private let logger: Logger
    private var session: ClientSession?
    private var current: Playback?
    private var follower: Task<Void, Never>?
    /// Delivers the offline progress backlog once the session first has a path.
    private var backlogDelivery: Task<Void, Never>?

    /// - Parameters:
    ///   - mpvArguments: extra mpv options from the config (`[player] mpv_args`).
    ///   - autoplayCountdown: how long the next-episode countdown runs (nil: no autoplay).
    ///   - subtitleLanguage: the subtitle language selected in mpv (`[player] subtitle_language`).
    ///   - skip: intros and credits (`[player] skip`).
    ///   - trackMemory: where the audio and subtitle tracks chosen per show are kept.
    ///   - downloads: the downloads folder (downloaded items play from it; offline progress waits in it).
    public init(mpvArguments: [String], autoplayCountdown: Duration? = .seconds(10), subtitleLanguage: SubtitleLanguage? = nil,
                skip: SkipMode = .ask, trackMemory: TrackMemory? = nil, downloads: DownloadDirectory = .standard(), logger: Logger) {
        self.downloads = downloads
        self.mpvArguments = mpvArguments
        self.autoplayCountdown = autoplayCountdown
        self.subtitleLanguage = subtitleLanguage
        self.skip = skip
        self.trackMemory = trackMemory
        self.logger = logger
    }

    public func use(_ session: ClientSession) async {
        self.session = session
        // Progress of offline playback waits in the downloads folder (issue 20): it goes to the
        // server as soon as this session has a path (PROTOCOL.md §13.143).
        backlogDelivery?.cancel()
        let backlog = ProgressBacklog(directory: downloads, logger: logger)
        guard !backlog.pending.isEmpty else { return }
        backlogDelivery = Task {
            for await snapshot in await session.manager.snapshots() where snapshot.state != .connecting && snapshot.state != .offline {
                await backlog.deliver(to: APIProgressSink(api: session.api))
                return
            }
        }
    }

    public func play(_ request: PlaybackRequest) async throws -> AsyncStream<MydiaTUI.PlaybackUpdate> {
        try await play(request, prepared: nil)
    }

    public func rememberedTracks(forShow showID: String) async -> TrackSelection? {
        trackMemory?.selection(forShow: showID)
    }

    public func play(_ request: PlaybackRequest, prepared: PlaybackItem?) async throws -> AsyncStream<MydiaTUI.PlaybackUpdate> {
        guard let session else { throw NotConnected() }
        await stop()
        // Located per play: mpv installed (or upgraded) while the UI runs is found; missing → one sentence.
        let mpv = MPVPlayer.Configuration(installation: try MPVInstallation.locate(), extraArguments: mpvArguments)
        var options = PlaybackOptions(player: .mpv(mpv), startPosition: request.startPosition,
                                      resume: request.startPosition == nil ? .auto : .never,
                                      subtitles: .load(preferred: subtitleLanguage), autoplayCountdown: autoplayCountdown)
        options.skip = skip
        options.trackMemory = trackMemory
        // The play menu's choice, remembered for the show like `play --audio/--sub`.
        options.tracks = request.tracks
        // A downloaded item plays from its file, also with no network (issue 20).
        let playback: Playback
        if let (item, media) = DownloadStore(directory: downloads, logger: logger).playable(request.itemID) {
            playback = try await Playback.start(api: session.api, manager: session.manager, item: item, local: media, options: options, logger: logger)
        } else if let prepared, prepared.reference.id == request.itemID {
            // Looked up when the detail pane opened: no second lookup on the way to the first frame.
            playback = try await Playback.start(api: session.api, manager: session.manager, item: prepared, options: options, logger: logger)
        } else {
            playback = try await Playback.start(api: session.api, manager: session.manager, itemID: request.itemID, options: options, logger: logger)
        }
        current = playback
        // Queued offline progress goes first; this item's own queued report is replaced by this playback's.
        let backlog = ProgressBacklog(directory: downloads, logger: logger)
        let delivering = Task { [itemID = request.itemID] in await backlog.deliver(to: APIProgressSink(api: session.api), superseding: itemID) }
        let (stream, continuation) = AsyncStream<MydiaTUI.PlaybackUpdate>.makeStream()
        var state = MydiaTUI.PlaybackUpdate(item: request, phase: .starting)
        continuation.yield(state)
        follower = Task {
            for await update in playback.updates {
                switch update {
                case .started(let started):
                    if started.item.id != state.item.itemID {
                        // Autoplay moved on to the next episode.
                        state.item = PlaybackRequest(kind: started.item.kind == .movie ? .movie : .episode, itemID: started.item.id,
                                                     fileID: state.item.fileID, title: started.title)
                    } else {
                        state.item.title = started.title
                    }
                    state.phase = .playing
                    state.position = started.startPosition
                    state.duration = started.duration
                    state.nextEpisode = nil
                case .position(let seconds, let duration):
                    state.position = seconds
                    if let duration { state.duration = duration }
                case .paused(let paused): state.paused = paused
                case .buffering(let buffering): state.buffering = buffering
                case .path(let path): state.path = path
                case .progressStored, .skippable: continue
                case .nextEpisodeCountdown(let title, let secondsLeft):
                    let next = PlaybackRequest(kind: .episode, itemID: "", fileID: "", title: title)
                    state.nextEpisode = MydiaTUI.PlaybackUpdate.NextEpisode(request: next, secondsLeft: secondsLeft)
                case .autoplayCancelled:
                    state.nextEpisode = nil
                case .ended(let end):
                    state.nextEpisode = nil
                    switch end {
                    case .finished, .stopped: state.phase = .ended
                    case .playerExited(let status): state.phase = .failed("mpv exited unexpectedly (status \(status)).")
                    case .failed(let sentence): state.phase = .failed(sentence)
                    }
                }
                continuation.yield(state)
            }
            // Progress the server did not take (offline) waits in the downloads folder.
            _ = await delivering.value
            backlog.add(await playback.pendingProgress())
            continuation.finish()
        }
        return stream
    }

    public func stop() async {
        guard let playback = current else { return }
        current = nil
        await playback.stop()
        await follower?.value
        follower = nil
    }

    public func cancelCountdown() async {
        await current?.cancelAutoplay()
    }

    /// Takes the skip offer mpv shows (intro, credits, next episode); nothing without one.
    public func skipSegment() async {
        await current?.skipSegment()
    }

    /// The next audio track (`a`); its label (`2 · jpn`), nil when there is none.
    public func cycleAudio() async -> String? {
        (try? await current?.cycleAudio())??.label
    }

    /// The next subtitle track, then none (`s`); its label, nil for none.
    public func cycleSubtitles() async -> String? {
        (try? await current?.cycleSubtitles())??.label
    }

    public func cycleTrack(_ kind: TrackKind) async -> String? {
        guard current != nil else { return nil }
        switch kind {
        case .audio: return await cycleAudio().map { "Audio: \($0)" } ?? "This item has no other audio track."
        case .subtitles: return await cycleSubtitles().map { "Subtitles: \($0)" } ?? "Subtitles: off"
        }
    }

    /// Play was asked for before the session to the server opened.
    struct NotConnected: Error, CustomStringConvertible {
        var description: String { "Not connected to the server yet — try again in a moment." }
    }
}
