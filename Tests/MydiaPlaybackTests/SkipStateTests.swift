import MydiaAPI
@testable import MydiaPlayback
import Testing

/// The skip part of the playback's pure state machine: entering and leaving an intro or the
/// credits in each mode, and the credits starting the countdown before the file's end.
@Suite struct SkipStateTests {
    typealias State = Playback.State
    static let intro = SkipSegmentRange(kind: .intro, start: 10, end: 40)
    static let credits = SkipSegmentRange(kind: .credits, start: 90, end: 100)

    static func rules(_ skip: SkipMode) -> Playback.Rules {
        Playback.Rules(reportsProgress: true, progressInterval: .seconds(10), pausedKeepAlive: .seconds(120), skip: skip)
    }

    static func playing(_ skip: SkipMode, at positions: [Double]) -> (State, [Playback.Effect]) {
        let events: [Playback.Event] = [.itemStarted(position: 0, duration: 100, segments: [intro, credits]), .player(.fileLoaded)]
            + positions.map { .player(.property(name: "time-pos", value: .number($0))) }
        return PlaybackStateTests.run(.starting, events, rules: rules(skip))
    }

    static func skipEffects(_ effects: [Playback.Effect]) -> [Playback.Effect] {
        effects.filter {
            switch $0 {
            case .enterSegment, .leaveSegment, .skip: true
            default: false
            }
        }
    }

    @Test func askModeOffersOnEntryAndWithdrawsOnLeaving() {
        let (_, effects) = Self.playing(.ask, at: [5, 10.2, 20, 39.4, 41, 92])
        #expect(Self.skipEffects(effects) == [.enterSegment(Self.intro), .leaveSegment, .enterSegment(Self.credits)])
    }

    @Test func autoModeSkipsEachSegmentOnceAndASeekBackPlaysIt() {
        let (_, effects) = Self.playing(.auto, at: [10.5, 40, 12, 45])
        // Back into the intro after the skip: it plays this time.
        #expect(Self.skipEffects(effects) == [.skip(to: 40)])
    }

    @Test func neverModeLeavesSegmentsAlone() {
        let (_, effects) = Self.playing(.never, at: [10.5, 95])
        #expect(Self.skipEffects(effects).isEmpty)
    }

    @Test func theCreditsEndTheItemEarlyAndTheFilesEndIsNoSecondEnd() {
        let (inCredits, _) = Self.playing(.ask, at: [92])
        let (afterCredits, stop) = PlaybackStateTests.run(inCredits, [.creditsReached], rules: Self.rules(.ask))
        #expect(stop == [.report(.stop, position: 100, duration: 100)])
        let (counting, _) = PlaybackStateTests.run(afterCredits, [.countdownStarted(seconds: 5)], rules: Self.rules(.ask))
        // mpv reaching the end under the countdown: no second stop report, no second countdown.
        let (stillCounting, none) = PlaybackStateTests.run(counting, [.player(.endFile(reason: "eof", error: nil))], rules: Self.rules(.ask))
        #expect(none.isEmpty)
        #expect(stillCounting.secondsLeft == 5)
        // Enter on "Next episode": the countdown ends at its next tick.
        let (advanced, _) = PlaybackStateTests.run(stillCounting, [.advanceAutoplay, .countdownTick], rules: Self.rules(.ask))
        #expect(advanced.secondsLeft == 0)
        // A cancelled countdown in the credits lets them play on; their end then finishes.
        let (resumed, resumeEffects) = PlaybackStateTests.run(counting, [.cancelAutoplay, .resumeCredits], rules: Self.rules(.ask))
        #expect(resumeEffects.isEmpty)
        let (_, end) = PlaybackStateTests.run(resumed, [.player(.endFile(reason: "eof", error: nil))], rules: Self.rules(.ask))
        #expect(end == [.finish(.finished)])
    }

    @Test func segmentsFromTheServerBecomeSecondsAndUnknownTypesAreLeftOut() {
        let ranges = SkipSegmentRange.of([.init(type: "CREDITS", startMs: 90_000, endMs: 100_000), .init(type: "RECAP", startMs: 0, endMs: 5000),
                                          .init(type: "INTRO", startMs: 10_000, endMs: 40_000), .init(type: "INTRO", startMs: 50_000, endMs: 50_000)])
        #expect(ranges == [Self.intro, Self.credits])
    }
}
