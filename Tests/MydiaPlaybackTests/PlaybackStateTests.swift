@testable import MydiaPlayback
import Testing

/// The playback's pure state machine (`Playback.transition`): what each player event, timer tick
/// and lifecycle step does to the state and which effects it asks for, with no mpv and no clock.
@Suite struct PlaybackStateTests {
    typealias State = Playback.State
    typealias Item = Playback.Item

    static let rules = Playback.Rules(reportsProgress: true, progressInterval: .seconds(10), pausedKeepAlive: .seconds(120))

    /// Runs `events` from `state`, at `now`; returns the last state and every effect in order.
    static func run(_ state: State, _ events: [Playback.Event], at now: Duration = .zero,
                    rules: Playback.Rules = rules) -> (State, [Playback.Effect]) {
        var state = state
        var effects: [Playback.Effect] = []
        for event in events {
            let (next, more) = Playback.transition(state, on: event, at: now, rules: rules)
            state = next
            effects += more
        }
        return (state, effects)
    }

    static func loaded(position: Double = 12, duration: Double = 100) -> Item {
        var item = Item(position: position, duration: duration)
        item.loaded = true
        item.restart = .playing
        return item
    }

    static func property(_ name: String, _ value: JSONValue?) -> Playback.Event { .player(.property(name: name, value: value)) }

    @Test func positionsCountOnlyOnceTheFileLoadedAndArePublishedEveryHalfSecond() {
        let fresh = State.playing(Item(position: 0, duration: 100))
        let (before, none) = Self.run(fresh, [Self.property("time-pos", .number(3))])
        #expect(none.isEmpty && before.item?.position == 0)
        let (state, effects) = Self.run(fresh, [.player(.fileLoaded), Self.property("time-pos", .number(3)),
                                                Self.property("time-pos", .number(3.2)), Self.property("time-pos", .number(3.6))])
        #expect(effects == [.loadSubtitles, .publish(.position(seconds: 3, duration: 100)), .publish(.position(seconds: 3.6, duration: 100))])
        #expect(state.item?.position == 3.6)
    }

    @Test func aPauseIsPublishedOnceAndReportedOnlyAfterLoading() {
        let (state, effects) = Self.run(.playing(Self.loaded()), [Self.property("pause", .bool(true)), Self.property("pause", .bool(true))],
                                        at: .seconds(7))
        #expect(effects == [.publish(.paused(true)), .report(.pause, position: 12, duration: 100)])
        #expect(state.item?.paused == true && state.item?.lastKeepAlive == .seconds(7))
        let (_, unloaded) = Self.run(.playing(Item(position: 0, duration: 100)), [Self.property("pause", .bool(true))])
        #expect(unloaded == [.publish(.paused(true))])
    }

    @Test func aSeekIsReportedAtTheRestartAfterItButTheFirstRestartIsNot() {
        var item = Item(position: 0, duration: 100)
        item.loaded = true
        let (state, effects) = Self.run(.playing(item), [.player(.seek), .player(.playbackRestart), .player(.playbackRestart),
                                                         .player(.seek), Self.property("time-pos", .number(40)), .player(.playbackRestart)])
        #expect(effects.filter { if case .report = $0 { true } else { false } } == [.report(.seek, position: 40, duration: 100)])
        #expect(state.item?.restart == .playing)
        let (reloaded, _) = Self.run(state, [.reloaded, .player(.seek), .player(.playbackRestart)])
        #expect(reloaded.item?.restart == .playing)
    }

    @Test func periodicReportsComeEveryIntervalWhilePlayingAndKeepAlivesWhilePaused() {
        let playing = State.playing(Self.loaded())
        #expect(Self.run(playing, [.tick], at: .seconds(9)).1 == [])
        let (reported, effects) = Self.run(playing, [.tick], at: .milliseconds(9_950))
        #expect(effects == [.report(.periodic, position: 12, duration: 100)])
        #expect(Self.run(reported, [.tick], at: .seconds(15)).1 == [])
        #expect(Self.run(reported, [.tick], at: .seconds(20)).1.count == 1)

        var paused = Self.loaded()
        paused.paused = true
        paused.lastKeepAlive = .seconds(10)
        #expect(Self.run(.playing(paused), [.tick], at: .seconds(129)).1 == [])
        let (kept, alive) = Self.run(.playing(paused), [.tick], at: .seconds(130))
        #expect(alive == [.keepSessionAlive] && kept.item?.lastKeepAlive == .seconds(130))
    }

    @Test func nothingIsReportedBeforeLoadingOrAfterTheStopReport() {
        #expect(Self.run(.playing(Item(position: 0, duration: 100)), [.tick], at: .seconds(60)).1 == [])
        var stopped = Self.loaded()
        stopped.stopReported = true
        #expect(Self.run(.playing(stopped), [.tick], at: .seconds(60)).1 == [])
        #expect(Self.run(.playing(stopped), [.stop(at: nil)]).1 == [])
    }

    @Test func theEndOfFileReportsTheStopAtTheDurationOnceAndEndsTheItem() {
        let (state, effects) = Self.run(.playing(Self.loaded()), [.player(.endFile(reason: "eof", error: nil))])
        #expect(effects == [.report(.stop, position: 100, duration: 100), .itemEnded])
        #expect(Self.run(state, [.stop(at: nil)]).1 == [])
        let noPlayer = Playback.Rules(reportsProgress: false, progressInterval: .seconds(10), pausedKeepAlive: .seconds(120))
        #expect(Self.run(.playing(Self.loaded()), [.player(.endFile(reason: "eof", error: nil))], rules: noPlayer).1 == [.itemEnded])
    }

    @Test func playerEndsFinishThePlaybackAndAReplacedFileDoesNot() {
        let playing = State.playing(Self.loaded())
        #expect(Self.run(playing, [.player(.endFile(reason: "error", error: "boom"))]).1
            == [.finish(.failed("mpv could not play the stream (boom)."))])
        #expect(Self.run(playing, [.player(.endFile(reason: "quit", error: nil))]).1 == [.finish(.stopped)])
        #expect(Self.run(playing, [.player(.exited(9))]).1 == [.finish(.playerExited(9))])
        #expect(Self.run(playing, [.player(.endFile(reason: "stop", error: nil))]).1 == [])
        #expect(Self.run(playing, [Self.property("paused-for-cache", .bool(true))]).1 == [.publish(.buffering(true))])
    }

    /// Direct play chosen by the server's preference (PROTOCOL.md §14.2.6): mpv failing to open the
    /// file before it loaded falls back to HLS once; after loading, or a second time, it ends the playback.
    @Test func aDirectPlayFileMpvCannotOpenFallsBackToHLSOnceAndOnlyBeforeLoading() {
        let error = Playback.Event.player(.endFile(reason: "error", error: "loading failed"))
        let failed = Playback.Effect.finish(.failed("mpv could not play the stream (loading failed)."))
        let (fellBack, effects) = Self.run(.starting, [.itemStarted(position: 5, duration: 50, canFallBack: true), error])
        #expect(effects == [.fallBackToHLS] && fellBack.item?.canFallBack == false)
        #expect(Self.run(fellBack, [error]).1 == [failed])
        #expect(Self.run(.starting, [.itemStarted(position: 5, duration: 50, canFallBack: true), .player(.fileLoaded), error]).1
            == [.loadSubtitles, failed])
        #expect(Self.run(.starting, [.itemStarted(position: 5, duration: 50), error]).1 == [failed])
    }

    @Test func theCountdownTicksDownAndOnlyARunningOneCanBeCancelled() {
        let playing = State.playing(Self.loaded())
        #expect(Self.run(playing, [.cancelAutoplay]).0 == playing)
        let (counting, _) = Self.run(playing, [.cancelAutoplay, .countdownStarted(seconds: 3), .countdownTick])
        #expect(counting == .countingDown(Self.loaded(), secondsLeft: 2, cancelled: false))
        #expect(Self.run(counting, [.cancelAutoplay]).0 == .countingDown(Self.loaded(), secondsLeft: 2, cancelled: true))
        // The finished item stays current: its events still count, its reports are over.
        #expect(Self.run(counting, [Self.property("duration", .number(120))]).0.item?.duration == 120)
    }

    @Test func theNextItemKeepsThePauseAndTheReportTimers() {
        var previous = Self.loaded()
        previous.paused = true
        previous.lastKeepAlive = .seconds(30)
        previous.lastPeriodic = .seconds(20)
        previous.stopReported = true
        let (state, _) = Self.run(.countingDown(previous, secondsLeft: 0, cancelled: false), [.itemStarted(position: 0, duration: 50)])
        var expected = Item(position: 0, duration: 50)
        expected.paused = true
        expected.lastKeepAlive = .seconds(30)
        expected.lastPeriodic = .seconds(20)
        #expect(state == .playing(expected))
        #expect(Self.run(.starting, [.itemStarted(position: 5, duration: 50)]).0 == .playing(Item(position: 5, duration: 50)))
    }

    @Test func endingTakesTheLaterPositionReportsTheStopOnceAndIgnoresThePlayer() {
        let (ending, none) = Self.run(.playing(Self.loaded()), [.finishing, .player(.exited(0)), .finalPosition(10), .finalPosition(15)])
        #expect(none.isEmpty && ending.isEnding && ending.item?.position == 15)
        let (stopped, effects) = Self.run(ending, [.stop(at: nil), .stop(at: nil), .finishing])
        #expect(effects == [.report(.stop, position: 15, duration: 100)])
        #expect(Self.run(stopped, [.ended(.stopped), .finishing, .itemStarted(position: 0, duration: 1)]).0 == .ended(.stopped))
        #expect(Self.run(.starting, [.finishing, .stop(at: nil)]) == (.ending(nil), []))
    }
}
