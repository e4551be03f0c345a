extension Playback {
    /// The playback's state. Every change goes through ``transition(_:on:at:rules:)``, a pure
    /// function of the state, the event, the time and the options; the actor performs the effects.
    enum State: Equatable {
        /// The first item is starting (its streaming session, proxy and player file).
        case starting
        /// An item is current.
        case playing(Item)
        /// The item played to its end; the next episode starts when the countdown reaches zero.
        case countingDown(Item, secondsLeft: Int, cancelled: Bool)
        /// `finish` runs: the final position, the stop report, mpv, the session and the proxy go.
        case ending(Item?)
        /// Over.
        case ended(PlaybackEnd)

        /// The current item's progress, if an item started.
        var item: Item? {
            switch self {
            case .playing(let item), .countingDown(let item, _, _): item
            case .ending(let item): item
            case .starting, .ended: nil
            }
        }

        /// The countdown's seconds left (0 outside one).
        var secondsLeft: Int {
            if case .countingDown(_, let left, _) = self { return left }
            return 0
        }

        /// Ending or ended: nothing new starts, player events are ignored.
        var isEnding: Bool {
            switch self {
            case .ending, .ended: true
            case .starting, .playing, .countingDown: false
            }
        }
    }

    /// What the player reported about the current item, and the report timers.
    struct Item: Equatable {
        /// mpv's `playback-restart`s: the first follows loading; later ones follow a seek (§11.33).
        enum Restart: Equatable {
            /// The file is loading; its first restart is not a seek.
            case awaitingFirst
            /// Playing; a `seek` makes the next restart a seek report.
            case playing
            /// The user seeked; the next restart reports it.
            case seeking
        }

        var position: Double
        var duration: Double
        var paused = false
        /// mpv loaded the file (`file-loaded`); positions and reports count from then.
        var loaded = false
        var restart = Restart.awaitingFirst
        /// mpv failing to open the file before it loaded falls back to HLS (direct play chosen by
        /// the server's preference, once; §14.2.6).
        var canFallBack = false
        /// The item's `stop` report was made; nothing more is reported for it.
        var stopReported = false
        var lastPublishedPosition = -1.0
        /// The file's intro and credits; the one the position is in; those auto mode skipped
        /// (each once: seeking back into one plays it).
        var segments: [SkipSegmentRange] = []
        var insideSegment: SkipSegmentRange?
        var skipped: Set<SkipSegmentRange> = []
        /// The credits began and the next-episode countdown started then (its stop report made);
        /// mpv's end of file is then no second end of the item.
        var endedEarly = false
        /// mpv reached the end of the file after ``endedEarly``.
        var reachedEnd = false
        /// Clock offsets of the last paused keep-alive and the last periodic report. Both carry
        /// over to the next item, as the pause does (the same mpv).
        var lastKeepAlive: Duration = .zero
        var lastPeriodic: Duration = .zero
    }

    /// What can happen to the state.
    enum Event: Equatable {
        /// A new item's file goes to the player, starting at `position`; `canFallBack`: see ``Item/canFallBack``.
        case itemStarted(position: Double, duration: Double, canFallBack: Bool = false, segments: [SkipSegmentRange] = [])
        /// mpv reported something.
        case player(MPVPlayer.Event)
        /// The report timer fired.
        case tick
        /// A replacement session was loaded into the paused player (§12.15).
        case reloaded
        /// mpv's position, asked for at the end.
        case finalPosition(Double)
        /// The item's stop report: at `position`, or where the item is now.
        case stop(at: Double?)
        /// The next-episode countdown began.
        case countdownStarted(seconds: Int)
        /// One second of it passed.
        case countdownTick
        /// ``Playback/cancelAutoplay()``.
        case cancelAutoplay
        /// The credits began and the countdown starts now: the item counts as ended (its stop report).
        case creditsReached
        /// Enter on "Next episode": the countdown is over at its next tick.
        case advanceAutoplay
        /// A countdown begun in the credits was cancelled: the credits play on to the end of the file.
        case resumeCredits
        /// `finish` began.
        case finishing
        /// Everything is down.
        case ended(PlaybackEnd)
    }

    /// What the actor does after a transition, in order.
    enum Effect: Equatable {
        /// Yields an update.
        case publish(PlaybackUpdate)
        /// Queues a progress report for the current item.
        case report(ProgressReport.Kind, position: Double, duration: Double)
        /// Fetches the playlist and replaces a dropped session (§12.15).
        case keepSessionAlive
        /// The item played to its end: autoplay or finish.
        case itemEnded
        /// mpv could not open the direct-play file: play the item over HLS instead.
        case fallBackToHLS
        /// A file loaded into mpv: add its subtitle tracks (§14.2.6).
        case loadSubtitles
        /// Ends the playback.
        case finish(PlaybackEnd)
        /// The position entered an intro or the credits (ask mode): offer the skip.
        case enterSegment(SkipSegmentRange)
        /// The position left the segment offered.
        case leaveSegment
        /// Auto mode: seek to this media position (a segment's end).
        case skip(to: Double)
    }

    /// The options the transitions depend on.
    struct Rules: Equatable {
        /// Progress is reported (a player runs).
        var reportsProgress: Bool
        var progressInterval: Duration
        var pausedKeepAlive: Duration
        /// What happens inside an intro or the credits.
        var skip: SkipMode = .ask
    }

    /// The state machine: the next state and the effects of `event` at clock offset `now`.
    static func transition(_ state: State, on event: Event, at now: Duration, rules: Rules) -> (State, [Effect]) {
        switch (state, event) {
        case (.ended, _), (.ending, .finishing):
            return (state, [])
        case (_, .ended(let result)):
            return (.ended(result), [])
        case (_, .finishing):
            return (.ending(state.item), [])
        case (.starting, .itemStarted(let position, let duration, let canFallBack, let segments)),
             (.playing, .itemStarted(let position, let duration, let canFallBack, let segments)),
             (.countingDown, .itemStarted(let position, let duration, let canFallBack, let segments)):
            // The pause and the report timers carry over: the same mpv plays the next item.
            let previous = state.item
            var item = Item(position: position, duration: duration)
            item.canFallBack = canFallBack
            item.segments = segments
            item.paused = previous?.paused ?? false
            item.lastKeepAlive = previous?.lastKeepAlive ?? .zero
            item.lastPeriodic = previous?.lastPeriodic ?? .zero
            return (.playing(item), [])
        case (.playing(let item), .countdownStarted(let seconds)):
            return (.countingDown(item, secondsLeft: seconds, cancelled: false), [])
        case (.countingDown(let item, let left, let cancelled), .countdownTick):
            return (.countingDown(item, secondsLeft: left - 1, cancelled: cancelled), [])
        case (.countingDown(let item, let left, _), .cancelAutoplay):
            return (.countingDown(item, secondsLeft: left, cancelled: true), [])
        case (.countingDown(let item, _, let cancelled), .advanceAutoplay):
            return (.countingDown(item, secondsLeft: min(1, max(0, state.secondsLeft)), cancelled: cancelled), [])
        case (.countingDown(let item, _, _), .resumeCredits):
            return (.playing(item), item.reachedEnd ? [.finish(.finished)] : [])
        case (.playing(var item), .creditsReached):
            guard !item.endedEarly, !item.stopReported else { return (state, []) }
            item.endedEarly = true
            let effects = stopReport(&item, at: item.duration, rules: rules)
            return (.playing(item), effects)
        case (.countingDown(var item, let left, let cancelled), .player(.endFile("eof", _))) where item.endedEarly:
            // The credits ran out under the countdown: it goes on.
            item.reachedEnd = true
            return (.countingDown(item, secondsLeft: left, cancelled: cancelled), [])
        case (.ending(var item?), .finalPosition(let seconds)):
            item.position = max(item.position, seconds)
            return (.ending(item), [])
        case (.ending(var item?), .stop(let at)):
            let effects = stopReport(&item, at: at, rules: rules)
            return (.ending(item), effects)
        case (.playing(var item), _):
            let effects = apply(event, to: &item, at: now, rules: rules)
            return (.playing(item), effects)
        case (.countingDown(var item, let left, let cancelled), _):
            let effects = apply(event, to: &item, at: now, rules: rules)
            return (.countingDown(item, secondsLeft: left, cancelled: cancelled), effects)
        default:
            return (state, [])
        }
    }

    /// An event for the current item (playing, or counting down after it).
    private static func apply(_ event: Event, to item: inout Item, at now: Duration, rules: Rules) -> [Effect] {
        switch event {
        case .player(let playerEvent):
            return apply(playerEvent, to: &item, at: now, rules: rules)
        case .tick:
            // After an item's stop report nothing more is reported for it (a next-episode countdown
            // runs with the finished item still current): start → periodic… → stop, in that order.
            guard item.loaded, !item.stopReported else { return [] }
            if item.paused {
                guard now - item.lastKeepAlive >= rules.pausedKeepAlive else { return [] }
                item.lastKeepAlive = now
                return [.keepSessionAlive]
            }
            guard now - item.lastPeriodic >= rules.progressInterval - .milliseconds(50) else { return [] }
            item.lastPeriodic = now
            return [.report(.periodic, position: item.position, duration: item.duration)]
        case .reloaded:
            item.restart = .awaitingFirst
            return []
        case .stop(let at):
            return stopReport(&item, at: at, rules: rules)
        default:
            return []
        }
    }

    /// What mpv reported (PROTOCOL.md §11.31–33).
    private static func apply(_ event: MPVPlayer.Event, to item: inout Item, at now: Duration, rules: Rules) -> [Effect] {
        switch event {
        case .property("time-pos", let value):
            guard let seconds = value?.doubleValue, item.loaded else { return [] }
            item.position = seconds
            var effects = segmentChange(&item, at: seconds, rules: rules)
            guard abs(seconds - item.lastPublishedPosition) >= 0.5 else { return effects }
            item.lastPublishedPosition = seconds
            effects.insert(.publish(.position(seconds: seconds, duration: item.duration > 0 ? item.duration : nil)), at: 0)
            return effects
        case .property("duration", let value):
            if let seconds = value?.doubleValue, seconds > 0 { item.duration = seconds }
            return []
        case .property("pause", let value):
            guard let flag = value?.boolValue, flag != item.paused else { return [] }
            item.paused = flag
            if flag { item.lastKeepAlive = now }
            var effects: [Effect] = [.publish(.paused(flag))]
            if flag, item.loaded { effects.append(.report(.pause, position: item.position, duration: item.duration)) }
            return effects
        case .property("paused-for-cache", let value):
            guard let flag = value?.boolValue else { return [] }
            return [.publish(.buffering(flag))]
        case .property:
            return []
        case .fileLoaded:
            item.loaded = true
            item.canFallBack = false
            return [.loadSubtitles]
        case .seek:
            if item.restart == .playing { item.restart = .seeking }
            return []
        case .playbackRestart:
            switch item.restart {
            case .awaitingFirst:
                item.restart = .playing
                return []
            case .seeking:
                item.restart = .playing
                return [.report(.seek, position: item.position, duration: item.duration)]
            case .playing:
                return []
            }
        case .endFile("eof", _) where item.endedEarly:
            // A countdown begun in the credits was cancelled; now they are over.
            return [.finish(.finished)]
        case .endFile("eof", _):
            return stopReport(&item, at: item.duration, rules: rules) + [.itemEnded]
        case .endFile("error", _) where item.canFallBack && !item.loaded:
            item.canFallBack = false
            return [.fallBackToHLS]
        case .endFile("error", let error):
            return [.finish(.failed("mpv could not play the stream (\(error ?? "unknown error"))."))]
        case .endFile("quit", _):
            return [.finish(.stopped)]
        case .endFile:
            return []  // "stop"/"redirect": a loadfile replaced the file
        case .exited(let status):
            return [.finish(.playerExited(status))]
        case .message:
            return []  // handled by the actor (the skip binding)
        }
    }

    /// Entering or leaving an intro or the credits at `position` (PROTOCOL.md §14.1 `segments`):
    /// ask mode offers the skip and withdraws it, auto mode seeks past each segment once.
    private static func segmentChange(_ item: inout Item, at position: Double, rules: Rules) -> [Effect] {
        guard rules.skip != .never, !item.segments.isEmpty else { return [] }
        let inside = item.segments.first { $0.contains(position) }
        guard inside != item.insideSegment else { return [] }
        var effects: [Effect] = []
        if item.insideSegment != nil, rules.skip == .ask { effects.append(.leaveSegment) }
        item.insideSegment = inside
        guard let inside else { return effects }
        switch rules.skip {
        case .auto:
            if item.skipped.insert(inside).inserted { effects.append(.skip(to: inside.end)) }
        case .ask:
            effects.append(.enterSegment(inside))
        case .never:
            break
        }
        return effects
    }

    /// The item's one stop report (only once it loaded, only with a player).
    private static func stopReport(_ item: inout Item, at position: Double?, rules: Rules) -> [Effect] {
        guard !item.stopReported, item.loaded, rules.reportsProgress else { return [] }
        item.stopReported = true
        return [.report(.stop, position: position ?? item.position, duration: item.duration)]
    }
}

extension Playback.Rules {
    /// The rules of `options`.
    init(_ options: PlaybackOptions) {
        if case .mpv = options.player { reportsProgress = true } else { reportsProgress = false }
        progressInterval = options.progressInterval
        pausedKeepAlive = options.pausedKeepAlive
        skip = options.skip
    }
}
