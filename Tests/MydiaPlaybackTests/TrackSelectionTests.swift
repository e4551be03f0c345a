import Foundation
import Logging
import MydiaAPI
import MydiaClient
@testable import MydiaPlayback
import MydiaTestSupport
import Testing

/// Audio and subtitle tracks: chosen before start (`--audio`, `--sub`), cycled during playback
/// over IPC (the TUI's `a`/`s`), remembered per show. Checked through mpv's own `track-list` on a
/// file with two audio tracks (eng 440 Hz, jpn 880 Hz).
@Suite(.serialized) struct TrackSelectionTests {
    static func selectedAudio(_ playback: Playback) async throws -> PlayerTrack? {
        try await playback.tracks().first { $0.kind == .audio && $0.selected }
    }

    /// Waits until mpv lists the file's tracks.
    static func waitForTracks(_ playback: Playback) async throws {
        for _ in 0..<200 {
            if try await playback.tracks().filter({ $0.kind == .audio }).count == 2 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("mpv never listed two audio tracks")
    }

    static func play(_ tracks: TrackSelection, memory: TrackMemory? = nil) async throws -> (PlaybackFixture, Playback) {
        let fixture = try await PlaybackFixture.start(library: try SkipLibrary.make())
        let movies = try await fixture.session.api.movies(first: 20).edges.map(\.node)
        let movie = try #require(movies.first { $0.title == "Two Voices" })
        var options = try SkipSegmentTests.options(skip: .never)
        options.tracks = tracks
        options.trackMemory = memory
        let playback = try await Playback.start(session: fixture.session, itemID: movie.id, options: options, logger: fixture.log.logger())
        try await waitForTracks(playback)
        return (fixture, playback)
    }

    @Test func audioByLanguageIsChosenBeforeStartAndCyclingMovesToTheOther() async throws {
        let (fixture, playback) = try await Self.play(TrackSelection(audio: .language("ja")))
        defer { Task { await fixture.close() } }
        #expect(try await Self.selectedAudio(playback)?.language == "jpn")
        let now = try await playback.cycleAudio()
        #expect(now?.language == "eng")
        #expect(try await Self.selectedAudio(playback)?.id == 1)
        #expect(try await playback.cycleAudio()?.language == "jpn")
        await playback.stop()
        await fixture.close()
    }

    @Test func audioByNumberAndSubtitlesOff() async throws {
        let (fixture, playback) = try await Self.play(TrackSelection(audio: .number(2), subtitle: .off))
        defer { Task { await fixture.close() } }
        let audio = try await Self.selectedAudio(playback)
        #expect(audio?.id == 2 && audio?.language == "jpn", "\(String(describing: audio))")
        #expect(try await playback.tracks().allSatisfy { $0.kind != .sub || !$0.selected })
        try await playback.selectTrack(.audio, id: 1)
        #expect(try await Self.selectedAudio(playback)?.language == "eng")
        await playback.stop()
        await fixture.close()
    }

    @Test func anEpisodeStartsWithItsShowsRememberedTracksAndWhatWasAskedForIsRemembered() async throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory() + "mydia-tracks-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let memory = TrackMemory(file: dir.appendingPathComponent("tracks.json"))
        let fixture = try await PlaybackFixture.start(library: try SkipLibrary.make())
        defer { Task { await fixture.close() } }
        let api = fixture.session.api
        let show = try #require(try await api.tvShows(first: 10).nodes.first { $0.title == "Credit Roll" })
        let episode = try #require(try await api.seasonEpisodes(showId: show.id, seasonNumber: 1).first { $0.episodeNumber == 2 })
        memory.remember(TrackSelection(audio: .language("jpn"), subtitle: .language("eng")), forShow: show.id)
        var options = try SkipSegmentTests.options(skip: .never)
        options.tracks = TrackSelection(subtitle: .off)   // `--sub off` this time
        options.trackMemory = memory
        let playback = try await Playback.start(session: fixture.session, itemID: episode.id, options: options, logger: fixture.log.logger())
        let lines = await playback.playerCommands
        let loadfile = try #require(lines.firstIndex { $0.contains("loadfile") })
        // Set before the file loads: the remembered audio language, subtitles off as asked.
        #expect(lines[..<loadfile].contains { $0.contains("\"alang\"") && $0.contains("jpn") })
        #expect(lines[..<loadfile].contains { $0.contains("\"sid\"") && $0.contains("\"no\"") })
        #expect(memory.selection(forShow: show.id) == TrackSelection(audio: .language("jpn"), subtitle: .off))
        await playback.stop()
        await fixture.close()
    }

    @Test func choicesParseAsLanguageNumberOrOff() {
        #expect(TrackSelection.Choice(parsing: "en", allowsOff: true) == .language("eng"))
        #expect(TrackSelection.Choice(parsing: "deu", allowsOff: false) == .language("ger"))
        #expect(TrackSelection.Choice(parsing: "2", allowsOff: false) == .number(2))
        #expect(TrackSelection.Choice(parsing: "off", allowsOff: true) == .off)
        #expect(TrackSelection.Choice(parsing: "off", allowsOff: false) == nil)
        #expect(TrackSelection.Choice(parsing: "0", allowsOff: true) == nil)
        #expect(TrackSelection.Choice(parsing: "english", allowsOff: true) == nil)
        let mpv = TrackSelection(audio: .language("ger"), subtitle: .number(3)).mpvProperties.map { "\($0.name)=\($0.value)" }
        #expect(mpv == ["alang=ger,deu,de", "aid=auto", "sid=3"])
    }

    @Test func theMemoryKeepsOneSelectionPerShowInAPrivateFile() throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory() + "mydia-tracks-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let memory = TrackMemory(file: dir.appendingPathComponent("state/tracks.json"))
        #expect(memory.selection(forShow: "s1") == nil)
        memory.remember(TrackSelection(audio: .language("jpn"), subtitle: .language("eng")), forShow: "s1")
        memory.remember(TrackSelection(audio: .number(2)), forShow: "s2")
        let again = TrackMemory(file: memory.url)
        #expect(again.selection(forShow: "s1") == TrackSelection(audio: .language("jpn"), subtitle: .language("eng")))
        #expect(again.selection(forShow: "s2")?.audio == .number(2))
        let mode = try FileManager.default.attributesOfItem(atPath: memory.url.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // What a play asks for wins; the rest comes from the memory.
        #expect(TrackSelection(subtitle: .off).over(again.selection(forShow: "s1")) == TrackSelection(audio: .language("jpn"), subtitle: .off))
        memory.remember(TrackSelection(), forShow: "s1")
        #expect(memory.selection(forShow: "s1") == nil)
        // A damaged file is an empty memory, and is replaced on the next choice.
        try Data("{not json".utf8).write(to: memory.url)
        #expect(memory.selection(forShow: "s2") == nil)
        memory.remember(TrackSelection(audio: .number(1)), forShow: "s3")
        #expect(memory.selection(forShow: "s3")?.audio == .number(1))
        #expect(TrackMemory.stateDirectory(environment: ["XDG_STATE_HOME": "/x/state", "HOME": "/h"]).path == "/x/state/mydia-tui")
        #expect(TrackMemory.stateDirectory(environment: ["HOME": "/h"]).path == "/h/.local/state/mydia-tui")
    }
}
