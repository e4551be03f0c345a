import Foundation
import Logging
import MydiaAPI
import MydiaClient
@testable import MydiaPlayback
import MydiaTestSupport
import Testing

/// Autoplay of the next episode with real headless mpv on the real relay and server: which episode
/// comes next (same season, then the next season, then none), the countdown, the next episode
/// actually playing, and a cancelled countdown ending the playback as finished.
@Suite(.serialized) struct AutoplayTests {
    /// The sample library's show: Season 1 has episodes 1–3, Season 2 episodes 1–2 (2 s clips).
    static func episodes(_ api: APIClient) async throws -> [String: Episode] {
        let shows = try await api.tvShows(first: 10).nodes
        let show = try #require(shows.first { $0.title == "Signal Hour" })
        var byCode: [String: Episode] = [:]
        for season in [1, 2] {
            for e in try await api.seasonEpisodes(showId: show.id, seasonNumber: season) {
                byCode["S\(e.seasonNumber)E\(e.episodeNumber)"] = e
            }
        }
        return byCode
    }

    @Test func theNextEpisodeIsTheNextNumberThenTheNextSeasonThenNone() async throws {
        let fixture = try await PlaybackFixture.start(library: try ServerStack.sampleLibrary())
        defer { Task { await fixture.close() } }
        let api = fixture.session.api
        let e = try await Self.episodes(api)
        #expect(try await NextEpisode.after(try #require(e["S1E1"]), api: api)?.id == e["S1E2"]?.id)
        #expect(try await NextEpisode.after(try #require(e["S1E3"]), api: api)?.id == e["S2E1"]?.id)
        #expect(try await NextEpisode.after(try #require(e["S2E2"]), api: api) == nil)
        await fixture.close()
    }

    @Test func anEpisodeEndsTheCountdownRunsTheNextOnePlaysAndACancelledCountdownFinishes() async throws {
        let fixture = try await PlaybackFixture.start(library: try ServerStack.sampleLibrary())
        defer { Task { await fixture.close() } }
        let e = try await Self.episodes(fixture.session.api)
        let last = try #require(e["S1E3"]), next = try #require(e["S2E1"]), afterNext = try #require(e["S2E2"])
        let options = PlaybackOptions(
            player: .mpv(.init(installation: try MPVInstallation.forTests, extraArguments: PlaybackEndToEndTests.headless)),
            startPosition: 0, autoplayCountdown: .seconds(2), progressInterval: .seconds(1))
        let playback = try await Playback.start(session: fixture.session, itemID: last.id, options: options, logger: fixture.log.logger())
        // Cancel the second countdown (S02E01 → S02E02) as soon as it shows. (The update stream has
        // one consumer, the log; this watches the log.)
        let updates = UpdateLog(playback)
        let canceller = Task {
            while !Task.isCancelled {
                if updates.all.contains(where: { if case .nextEpisodeCountdown(let title, _) = $0 { title.contains("Finale") } else { false } }) {
                    await playback.cancelAutoplay()
                    return
                }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        let end = try await withTimeout(.seconds(90)) { await playback.waitUntilEnded() }
        await updates.finished()
        canceller.cancel()
        #expect(end == .finished)

        let all = updates.all
        let started = all.compactMap { if case .started(let s) = $0 { s.item.id } else { nil } }
        #expect(started == [last.id, next.id], "started \(started)")
        let countdowns = all.compactMap { if case .nextEpisodeCountdown(let title, let left) = $0 { "\(title)|\(left)" } else { nil } }
        // The first countdown ran to its end (2, 1) before S02E01 started; the second was cancelled.
        #expect(countdowns.prefix(2).map { $0.split(separator: "|").last.map(String.init) } == ["2", "1"])
        #expect(countdowns.first?.contains("Return") == true)
        #expect(countdowns.contains { $0.contains("Finale") })
        #expect(all.contains(.autoplayCancelled))
        #expect(all.last == .ended(.finished))
        // Both episodes that played were reported from start to stop and counted as watched.
        let stored = updates.stored
        for id in [last.id, next.id] {
            let mine = stored.filter { $0.item.id == id }
            #expect(mine.first?.kind == .start && mine.last?.kind == .stop, "progress of \(id): \(mine.map(\.kind))")
            #expect(try await fixture.session.api.episode(id: id)?.progress?.watched == true)
        }
        #expect(stored.allSatisfy { $0.item.id != afterNext.id })
        await fixture.close()
    }
}
