import MydiaSystem
import Foundation
import Logging
import MydiaAPI
import MydiaConnection

extension Playback {
    /// Starts `item`: how its file is delivered (direct play or a streaming session), a fresh
    /// proxy, and the player (launched for the first item, reused for the next) loading the proxy URL.
    func begin(_ item: PlaybackItem, explicitStart: Double?) async throws {
        guard let first = item.file else { throw PlaybackItem.Error.noFile(item.displayTitle) }
        let start: Double
        if let explicitStart {
            start = max(0, explicitStart)
        } else {
            start = await resumePosition(item)
        }
        // A downloaded file plays as it is, without the server or a proxy (issue 20).
        let delivery = local == nil ? try await chooseDelivery(for: item, file: first, start: start) : Delivery(file: first, strategy: .directPlay)
        var proxy: MediaProxy?
        do {
            if local == nil {
                let upstream = delivery.prefetch.map { PrefetchingUpstream(base: renewing, prefetch: $0, logger: logger) as any MediaUpstream } ?? renewing
                proxy = try await MediaProxy.start(upstream: upstream, logger: logger)
            }
        } catch {
            if let session = delivery.session { _ = try? await api.endStreamingSession(sessionId: session.sessionId) }
            throw error
        }
        let file = delivery.file
        let firstItem = state == .starting
        self.item = item
        self.file = file
        self.strategy = delivery.strategy
        self.streaming = delivery.session
        self.proxy = proxy
        // A WINDOW session (older servers) begins at `offset` in the media: mpv's clock starts there.
        streamOffset = Double(delivery.session?.offset ?? 0)
        let duration = [delivery.session?.duration, file.duration, item.runtimeSeconds].compactMap { $0 }.first { $0 > 0 } ?? 0
        await withdrawPrompt()
        trackSelection = startingTracks(for: item)
        rememberTracks()
        await handle(.itemStarted(position: start, duration: duration, canFallBack: delivery.canFallBack,
                                  segments: SkipSegmentRange.of(file.segments)))
        let url: String
        if let session = delivery.session, let proxy {
            useSession(session)
            url = proxy.hlsURL(session: session.sessionId).absoluteString
        } else {
            url = local?.path ?? proxy?.fileURL(id: file.id).absoluteString ?? ""
        }
        let facts = PlaybackStarted(item: item.reference, title: item.displayTitle, url: url, strategy: delivery.strategy,
                                    sessionId: delivery.session?.sessionId, startPosition: start, duration: duration)
        started = facts
        logger.notice("playback started", metadata: ["item": "\(item.reference.kind.rawValue) \(item.reference.id)",
                                                      "strategy": "\(delivery.strategy.name)",
                                                      "session": "\(delivery.session?.sessionId ?? "-")", "start": "\(start)"])
        if case .mpv(let configuration) = options.player {
            let player = try await runningPlayer(configuration)
            let streamStart = max(0, start - streamOffset)
            // One write, one round trip: the title, where to start, the tracks, then the file.
            var commands: [[JSONValue]] = [
                [.string("set_property"), .string("force-media-title"), .string(item.displayTitle)],
                [.string("set_property"), .string("start"), .string(String(format: "%.3f", streamStart))],
            ]
            for property in trackSelection.mpvProperties {
                commands.append([.string("set_property"), .string(property.name), .string(property.value)])
            }
            commands.append([.string("loadfile"), .string(url), .string("replace")])
            try await player.commands(commands)
            logger.debug("mpv loads the item")
        }
        if firstItem {
            tasks.append(Task { [weak self, clock] in
                while !Task.isCancelled {
                    await self?.publishPath()
                    try? await clock.sleep(.seconds(1))
                }
            })
        }
        continuation.yield(.started(facts))
        if rules.reportsProgress {
            await reporter.record(.start, item: item.reference, position: start, duration: duration)
        }
    }

    /// Starts mpv in the background when the playback has one (``playerLaunch``).
    func launchPlayer() {
        guard playerLaunch == nil, case .mpv(let configuration) = options.player else { return }
        let logger = self.logger
        playerLaunch = Task { try await MPVPlayer.launch(configuration, logger: logger) }
    }

    /// mpv: the running one, or the launched one (launched now if it was not) set to observe the
    /// properties playback follows, with its event reader and the report timer.
    private func runningPlayer(_ configuration: MPVPlayer.Configuration) async throws -> MPVPlayer {
        if let player { return player }
        launchPlayer()
        guard let launch = playerLaunch else { throw MPVPlayer.Error.ipcUnavailable }
        let player = try await launch.value
        if let player = self.player { return player }  // another caller got here first
        self.player = player
        let names = ["time-pos", "duration", "pause", "paused-for-cache", "eof-reached", "idle-active"]
        try await player.commands(names.enumerated().map { [.string("observe_property"), .number(Double($0.offset + 1)), .string($0.element)] })
        tasks.append(Task { [weak self] in
            for await event in player.events { await self?.handleMedia(event) }
        })
        tasks.append(Task { [weak self, clock, interval = min(options.progressInterval, options.pausedKeepAlive)] in
            while !Task.isCancelled {
                try? await clock.sleep(interval)
                await self?.handle(.tick)
            }
        })
        return player
    }

    /// A player event, with mpv's stream clock moved onto the media's (a WINDOW session's offset).
    private func handleMedia(_ event: MPVPlayer.Event) async {
        if case .playbackRestart = event, firstFrame == nil { firstFrame = .now }
        if case .message(let args) = event {
            if args.first == Self.skipMessage { await skipSegment() }
            return
        }
        if streamOffset > 0, case .property("time-pos", let value) = event, let seconds = value?.doubleValue {
            await handle(.player(.property(name: "time-pos", value: .number(seconds + streamOffset))))
        } else {
            await handle(.player(event))
        }
    }

    private func resumePosition(_ item: PlaybackItem) async -> Double {
        guard let progress = item.progress, !progress.watched, progress.positionSeconds > 5 else { return 0 }
        let position = Double(progress.positionSeconds)
        if let duration = progress.durationSeconds, duration > 0,
           position >= Double(duration) * ProgressReporter.watchedFraction { return 0 }
        switch options.resume {
        case .auto: return position
        case .never: return 0
        case .ask(let ask): return await ask(position) ? position : 0
        }
    }

    /// The current item played to its end: autoplay the next episode, or finish.
    func itemEnded() async {
        await withdrawPrompt()
        guard let next = await nextEpisode() else {
            await finish(.finished)
            return
        }
        await countDown(to: next)
    }

    /// The next-episode countdown, then the next episode. Begun in the credits (ask mode), a
    /// cancelled countdown lets them play on; begun at the end, it finishes the playback.
    func countDown(to next: Episode) async {
        guard let countdown = options.autoplayCountdown else { return }
        let title = PlaybackItem.episode(next).displayTitle
        await handle(.countdownStarted(seconds: Int(countdown.components.seconds)))
        while case .countingDown(_, let left, _) = state, left > 0 {
            continuation.yield(.nextEpisodeCountdown(title: title, secondsLeft: left))
            try? await clock.sleep(.seconds(1))
            if state.isEnding { return }
            if case .countingDown(let current, _, cancelled: true) = state {
                continuation.yield(.autoplayCancelled)
                if current.endedEarly, !current.reachedEnd {
                    await withdrawPrompt()
                    await handle(.resumeCredits)
                } else {
                    await finish(.finished)
                }
                return
            }
            await handle(.countdownTick)
        }
        guard !state.isEnding else { return }
        await closeItem()
        local = nil  // the next episode streams from the server
        do {
            try await begin(.episode(next), explicitStart: 0)
        } catch {
            await finish(.failed("\(error)"))
        }
    }

    /// Ends the current item's streaming session and proxy (best effort, bounded).
    func closeItem() async {
        subtitleTask?.cancel()
        subtitleTask = nil
        await reporter.flush(timeout: .seconds(5))
        if let session = streaming {
            let api = self.api
            _ = try? await withDeadline(.seconds(5), timedOut: { CancellationError() }) { try await api.endStreamingSession(sessionId: session.sessionId) }
        }
        streaming = nil
        await proxy?.stop()
        proxy = nil
    }
}
