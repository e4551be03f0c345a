import ArgumentParser
import Foundation
import Logging
import MydiaClient
import MydiaAPI
import MydiaDownloads
import MydiaPlayback
import MydiaTUI

struct Play: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Play a movie or episode in mpv through the local proxy, over whichever path is up.",
        discussion: """
            mpv gets a loopback URL (http://127.0.0.1:PORT/<random>/file/… for direct play, …/hls/… for a stream) over \
            its IPC socket, and the file's text subtitle tracks the same way; it never sees a token or the server's \
            address. By default mpv plays the file directly when the server offers that, else an HLS stream. With \
            --player none the URL is the only line on stdout and the proxy serves until SIGINT or SIGTERM, for other \
            players.
            """)

    enum PlayerChoice: String, ExpressibleByArgument, CaseIterable {
        case mpv, none
    }

    /// `--resume`: the same choices as `[player] resume`.
    enum ResumeChoice: String, ExpressibleByArgument, CaseIterable {
        case auto, ask, never
        var mode: ResumeMode { ResumeMode(rawValue: rawValue)! }
    }

    /// `--strategy`: how the media reaches the player.
    enum StrategyChoice: String, ExpressibleByArgument, CaseIterable {
        case direct, hlsCopy = "hls-copy", transcode
        var strategy: PlaybackStrategy {
            switch self {
            case .direct: .directPlay
            case .hlsCopy: .hlsCopy
            case .transcode: .transcode
            }
        }
    }

    /// `--skip`: the same choices as `[player] skip`.
    enum SkipChoice: String, ExpressibleByArgument, CaseIterable {
        case ask, auto, never
        var mode: SkipMode { SkipMode(rawValue: rawValue) ?? .ask }
    }

    /// `--events json` (hidden, PROTOCOL.md §13.79): machine-readable lines for the fault lab.
    enum EventsFormat: String, ExpressibleByArgument, CaseIterable {
        case json
    }

    @Argument(help: "The movie or episode id (from `mydia-tui ls`, `show` or `search`).") var id: String
    @Option(help: "Start at this many seconds (default: resume where the server says you stopped).") var start: Double?
    @Option(help: "Where an item you stopped part-way starts: auto (resume), ask, or never (default: [player] resume in config.toml, else auto).")
    var resume: ResumeChoice?
    @Option(help: "mpv, or none to only serve the stream.") var player: PlayerChoice = .mpv
    @Option(help: "Force how the media is delivered: direct (the file itself), hls-copy or transcode (default: what the server prefers for mpv; HLS with --player none).")
    var strategy: StrategyChoice?
    @Option(name: .customLong("sub"), help: ArgumentHelp(
        "Subtitles: a language (en, eng), mpv's subtitle track number (1 = the first), or off (default: the show's last choice, else [player] subtitle_language in config.toml, else none selected).",
        valueName: "lang|number|off"))
    var subtitle: String?
    @Option(help: ArgumentHelp("Audio: a language (ja, jpn) or mpv's audio track number (1 = the first) (default: the show's last choice, else mpv's).",
                               valueName: "lang|number"))
    var audio: String?
    @Option(help: "Intros and credits: ask (Enter skips), auto or never (default: [player] skip in config.toml, else ask).")
    var skip: SkipChoice?
    @Flag(name: .customLong("no-subs"), help: "Add no subtitle tracks to mpv.") var noSubtitles = false
    @Flag(name: .customLong("print-url"), help: "Print the local playlist URL on stdout also when mpv plays it.") var printURL = false
    @Option(name: .customLong("mpv-arg"), parsing: .unconditionalSingleValue,
            help: "An extra mpv option, e.g. --mpv-arg=--vo=null (repeatable).") var mpvArgs: [String] = []
    @Option(help: ArgumentHelp("Print one JSON line per playback update and per second of proxy and path figures (fault lab).",
                               visibility: .hidden)) var events: EventsFormat?
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let start, !(start.isFinite && start >= 0) { throw ValidationError("--start must be a number of seconds, 0 or more.") }
        if let subtitle, TrackSelection.Choice(parsing: subtitle, allowsOff: true) == nil {
            throw ValidationError("--sub must be a language code such as en or eng, a track number such as 2, or off.")
        }
        if let audio, TrackSelection.Choice(parsing: audio, allowsOff: false) == nil {
            throw ValidationError("--audio must be a language code such as ja or jpn, or a track number such as 2.")
        }
        if subtitle != nil, noSubtitles { throw ValidationError("--sub and --no-subs cannot be used together.") }
    }

    func run() async throws {
        try await runReporting {
            let config: TUIConfig
            do { config = try TUIConfig.load(directory: ConfigDirectory.resolve()) } catch { throw CommandFailure(.failure, "\(error)") }
            let choice: PlaybackOptions.Player
            switch player {
            case .none:
                choice = .none
            case .mpv:
                let installation: MPVInstallation
                do { installation = try MPVInstallation.locate() } catch { throw CommandFailure(.playerMissing, "\(error)") }
                choice = .mpv(.init(installation: installation, extraArguments: config.mpvArguments + mpvArgs, useTerminal: isatty(STDIN_FILENO) == 1))
            }
            let logger = global.logger()
            let began = ContinuousClock.now
            // Caught from here on: a reader may signal as soon as it sees the URL or an event line.
            let interrupted = SignalWaiter()
            try await withSession(global) { session in
                let subtitles: PlaybackOptions.Subtitles = noSubtitles ? .off : .load(preferred: config.subtitleLanguage)
                var options = PlaybackOptions(player: choice, startPosition: start, resume: ResumePrompt.policy(resume?.mode ?? config.resume),
                                              strategy: strategy?.strategy, subtitles: subtitles)
                options.skip = skip?.mode ?? config.skip
                options.tracks = TrackSelection(audio: audio.flatMap { TrackSelection.Choice(parsing: $0, allowsOff: false) },
                                                subtitle: subtitle.flatMap { TrackSelection.Choice(parsing: $0, allowsOff: true) })
                options.trackMemory = TrackMemory.standard()
                // A downloaded item plays from disk, also with no network (issue 20), unless --strategy asks for the server.
                let downloads = DownloadStore(logger: logger)
                let backlog = ProgressBacklog(directory: downloads.directory, logger: logger)
                let playback: Playback
                if strategy == nil, let (item, media) = downloads.playable(id) {
                    playback = try await Playback.start(api: session.api, manager: session.manager, item: item, local: media, options: options, logger: logger)
                } else {
                    playback = try await Playback.start(api: session.api, manager: session.manager, itemID: id, options: options, logger: logger)
                }
                let delivering = Task { [id] in await backlog.deliver(to: APIProgressSink(api: session.api), superseding: id) }
                let lines = events == .json ? PlayEvents.start(playback: playback, manager: session.manager, since: began) : nil
                if let url = await playback.current?.url, player == .none || printURL {
                    FileHandle.standardOutput.write(Data((url + "\n").utf8))
                }
                // SIGINT/SIGTERM stop the playback (a final progress report, the session ended); so does mpv quitting.
                let signals = Task {
                    await interrupted.wait()
                    await playback.stop()
                }
                let end = await playback.waitUntilEnded()
                signals.cancel()
                // Progress the server did not take (offline) waits in the downloads folder for the next command.
                _ = await delivering.value
                backlog.add(await playback.pendingProgress())
                await lines?.finish(session.manager)
                switch end {
                case .finished, .stopped:
                    return
                case .playerExited(let status):
                    throw CommandFailure(.failure, "mpv exited unexpectedly (status \(status)); your progress was saved.")
                case .failed(let message) where message == APIClient.Error.loginExpired.description:
                    throw CommandFailure(.credentialsRejected, message)
                case .failed(let message):
                    throw CommandFailure(.failure, message)
                }
            }
        }
    }
}
