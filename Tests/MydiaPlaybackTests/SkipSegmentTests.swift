import Foundation
import Logging
import MydiaAPI
import MydiaClient
@testable import MydiaPlayback
import MydiaTestSupport
import Synchronization
import Testing

/// Skipping intros and credits with real headless mpv on the real relay and server: the server's
/// `segments` (from chapters, from a sidecar), ask mode (mpv's prompt, its binding's
/// `script-message` taken), auto mode, and an episode's credits starting the countdown at once.
/// Positions are mpv's own `time-pos`.
@Suite(.serialized) struct SkipSegmentTests {
    static func options(skip: SkipMode, countdown: Duration? = nil) throws -> PlaybackOptions {
        var options = PlaybackOptions(player: .mpv(.init(installation: try MPVInstallation.forTests, extraArguments: PlaybackEndToEndTests.headless)),
                                      startPosition: 0, autoplayCountdown: countdown, progressInterval: .seconds(1))
        options.skip = skip
        return options
    }

    static func movie(_ title: String, _ fixture: PlaybackFixture) async throws -> Movie {
        let movies = try await fixture.session.api.movies(first: 20).edges.map(\.node)
        let found = try #require(movies.first { $0.title == title }, "movies: \(movies.map(\.title))")
        return try #require(try await fixture.session.api.movie(id: found.id))
    }

    /// mpv's position now.
    static func timePos(_ playback: Playback) async throws -> Double {
        let player = try #require(await playback.player)
        return try #require(try await player.command([.string("get_property"), .string("time-pos")])?.doubleValue)
    }

    /// Waits until `condition` holds for the updates so far.
    static func waitFor(_ updates: UpdateLog, within limit: Duration = .seconds(30), _ what: String,
                        _ condition: ([PlaybackUpdate]) -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while !condition(updates.all) {
            guard ContinuousClock.now < deadline else { Issue.record("timed out waiting for \(what): \(updates.all)"); throw CancellationError() }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test func theServerAnswersSegmentsFromChaptersAndFromTheSidecar() async throws {
        let fixture = try await PlaybackFixture.start(library: try SkipLibrary.make())
        defer { Task { await fixture.close() } }
        let chaptered = try await Self.movie("Chaptered Pattern", fixture)
        let segments = try #require(chaptered.files.first).segments
        #expect(segments == [MediaSegment(type: "INTRO", startMs: 1000, endMs: 6000), MediaSegment(type: "CREDITS", startMs: 10000, endMs: 12000)],
                "\(segments)")
        let sidecar = try await Self.movie("Sidecar Pattern", fixture)
        // The sidecar's "recap" is no segment type: left out.
        #expect(try #require(sidecar.files.first).segments == [MediaSegment(type: "INTRO", startMs: 2000, endMs: 4000)])
        let plain = try await Self.movie("Two Voices", fixture)
        #expect(try #require(plain.files.first).segments.isEmpty)
        await fixture.close()
    }

    @Test func askModeShowsThePromptAndTheBindingsMessageSkipsTheIntro() async throws {
        let fixture = try await PlaybackFixture.start(library: try SkipLibrary.make())
        defer { Task { await fixture.close() } }
        let movie = try await Self.movie("Chaptered Pattern", fixture)
        let playback = try await Playback.start(session: fixture.session, itemID: movie.id, options: try Self.options(skip: .ask),
                                                logger: fixture.log.logger())
        let updates = UpdateLog(playback)
        try await Self.waitFor(updates, "the intro prompt") { $0.contains { if case .skippable(let p?) = $0 { p.segment.kind == .intro } else { false } } }
        let prompt = updates.all.compactMap { if case .skippable(let p?) = $0 { p } else { nil } }.first
        #expect(prompt?.text == "Skip intro — Enter")
        #expect(prompt?.action == .skip)
        let before = try await Self.timePos(playback)
        #expect(before < 5, "still in the intro: \(before)")
        let lines = await playback.playerCommands
        #expect(lines.contains { $0.contains("define-section") && $0.contains("ENTER script-message mydia-skip") })
        #expect(lines.contains { $0.contains("show-text") && $0.contains("Skip intro — Enter") })
        // What Enter in mpv does: the section's binding sends the script-message to every client.
        let player = try #require(await playback.player)
        try await player.command([.string("script-message"), .string("mydia-skip")])
        try await Self.waitFor(updates, "the prompt to go") { $0.last { if case .skippable = $0 { true } else { false } } == .skippable(nil) }
        var after = 0.0
        for _ in 0..<40 {
            after = try await Self.timePos(playback)
            if after >= 6 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(after >= 6 && after < 9, "time-pos after the skip: \(after)")
        #expect(await playback.playerCommands.contains { $0.contains("disable-section") })
        await playback.stop()
        await updates.finished()
        await fixture.close()
    }

    @Test func autoModeSeeksPastTheIntroWithoutAsking() async throws {
        let fixture = try await PlaybackFixture.start(library: try SkipLibrary.make())
        defer { Task { await fixture.close() } }
        let movie = try await Self.movie("Chaptered Pattern", fixture)
        let began = ContinuousClock.now
        let playback = try await Playback.start(session: fixture.session, itemID: movie.id, options: try Self.options(skip: .auto),
                                                logger: fixture.log.logger())
        let updates = UpdateLog(playback)
        try await Self.waitFor(updates, "a position past the intro") {
            $0.contains { if case .position(let s, _) = $0 { s >= 6 } else { false } }
        }
        let position = try await Self.timePos(playback)
        // Playing from 0 at normal speed reaches 6 s after 6 s; the skip gets there about 1 s in.
        #expect(ContinuousClock.now - began < .seconds(4.5), "reached 6 s after \(ContinuousClock.now - began)")
        #expect(position >= 6 && position < 10, "time-pos: \(position)")
        #expect(await playback.playerCommands.contains { $0.contains("\"seek\"") && $0.contains("6.000") && $0.contains("absolute") })
        #expect(!updates.all.contains { if case .skippable = $0 { true } else { false } })
        await playback.stop()
        await updates.finished()
        await fixture.close()
    }

    @Test func anEpisodesCreditsStartTheCountdownAtOnce() async throws {
        let fixture = try await PlaybackFixture.start(library: try SkipLibrary.make())
        defer { Task { await fixture.close() } }
        let api = fixture.session.api
        let show = try #require(try await api.tvShows(first: 10).nodes.first { $0.title == "Credit Roll" })
        let episodes = try await api.seasonEpisodes(showId: show.id, seasonNumber: 1).sorted { $0.episodeNumber < $1.episodeNumber }
        try #require(episodes.count == 2)
        let playback = try await Playback.start(session: fixture.session, itemID: episodes[0].id,
                                                options: try Self.options(skip: .ask, countdown: .seconds(5)), logger: fixture.log.logger())
        let updates = UpdateLog(playback)
        try await Self.waitFor(updates, "the countdown") { $0.contains { if case .nextEpisodeCountdown = $0 { true } else { false } } }
        // The credits (3–6 s) have begun and the file is still playing: the countdown did not wait for its end.
        let position = try await Self.timePos(playback)
        #expect(position >= 3 && position < 5.5, "time-pos at the countdown: \(position)")
        let prompt = updates.all.compactMap { if case .skippable(let p?) = $0 { p } else { nil } }.last
        #expect(prompt?.action == .nextEpisode)
        #expect(prompt?.text == "Next episode — Enter")
        // Enter plays the next episode now.
        try await playback.player?.command([.string("script-message"), .string("mydia-skip")])
        try await Self.waitFor(updates, "the next episode") {
            $0.contains { if case .started(let s) = $0 { s.item.id == episodes[1].id } else { false } }
        }
        // The first episode's stop report went out when the credits began, as at its end.
        let stored = updates.stored.filter { $0.item.id == episodes[0].id }
        #expect(stored.first?.kind == .start && stored.last?.kind == .stop, "\(stored.map(\.kind))")
        await playback.stop()
        await updates.finished()
        #expect(try await api.episode(id: episodes[0].id)?.progress?.watched == true)
        await fixture.close()
    }
}
