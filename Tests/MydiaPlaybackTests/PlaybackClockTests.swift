import Foundation
import MydiaClient
import MydiaConnection
@testable import MydiaPlayback
import MydiaTestSupport
import Synchronization
import Testing

/// The playback's timers run on the clock it is given: here a manual one, on the real server
/// and relay without a player (`.none`), so only the path watch runs.
@Suite(.serialized) struct PlaybackClockTests {
    /// The real upstream, with a path the test sets.
    final class SettablePathUpstream: MediaUpstream {
        let base: any MediaUpstream
        let path = Mutex<PathKind?>(.relay)

        init(base: any MediaUpstream) { self.base = base }

        func send(_ request: PathRequest) async throws -> PathResponse { try await base.send(request) }
        func currentPath() async -> PathKind? { path.withLock { $0 } }
    }

    @Test func thePathIsPublishedAtOnceThenLookedAtEverySecondOfThePlaybacksClock() async throws {
        let fixture = try await PlaybackFixture.start()
        defer { Task { await fixture.close() } }
        let clock = ManualClock()
        let upstream = SettablePathUpstream(base: ConnectionUpstream(manager: fixture.session.manager, api: fixture.session.api))
        let playback = try await Playback.start(api: fixture.session.api, upstream: upstream, itemID: try await fixture.longMovieID(),
                                                options: PlaybackOptions(player: .none), logger: fixture.log.logger(), clock: clock)
        let updates = UpdateLog(playback)
        func paths() -> [PlaybackUpdate] { updates.all.filter { if case .path = $0 { true } else { false } } }
        // The watch published the path and sleeps one second on the playback's clock.
        #expect(await clock.waitForSleeper(until: .seconds(1)))
        upstream.path.withLock { $0 = .direct }
        try await Task.sleep(for: .milliseconds(300))
        #expect(paths() == [.path(.relay)], "the path was looked at again before the clock moved")
        clock.advance(to: .seconds(1))
        #expect(await clock.waitForSleeper(until: .seconds(2)))
        let deadline = ContinuousClock.now + .seconds(5)
        while paths().count < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(paths() == [.path(.relay), .path(.direct)])
        await playback.stop()
        await updates.finished()
        await fixture.close()  // at once, so no server outlives its test
    }
}
