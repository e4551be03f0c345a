import Foundation
import Logging
import MydiaAPI
import MydiaDownloads
import Synchronization
import Testing
@testable import MydiaTUI

/// The TUI's keys for issue 20 and the rail posters of issue 19: `a`/`s` switch tracks while
/// something plays (and say what is on), `X` stops, `d` downloads the selected movie or episode,
/// and home rails ask for their cards' posters and draw them in the card's slot.
@Suite struct WatchingKeysTests {
    init() { T.utf8() }

    /// A player whose tracks cycle through a fixed list, recording the calls.
    final class TrackPlayer: PlaybackController {
        let calls = Mutex<[String]>([])
        func play(_ request: PlaybackRequest) async throws -> AsyncStream<PlaybackUpdate> {
            let (stream, c) = AsyncStream<PlaybackUpdate>.makeStream()
            c.yield(PlaybackUpdate(item: request, phase: .playing, position: 1, duration: 60))
            return stream  // never finishes: playing
        }
        func stop() async { calls.withLock { $0.append("stop") } }
        func cancelCountdown() async {}
        func cycleTrack(_ kind: TrackKind) async -> String? {
            calls.withLock { $0.append("\(kind)") }
            return kind == .audio ? "Audio: 2 · jpn" : "Subtitles: off"
        }
    }

    @Test func trackKeysReachThePlayerOnlyWhilePlayingAndTheInfoLineSaysWhatIsOn() async throws {
        var state = try T.browsing(rows: 10, columns: 90)
        #expect(T.keys(&state, .character("a")).isEmpty)
        #expect(state.message?.text.contains("Nothing is playing") == true)
        let player = TrackPlayer()
        let (events, post) = AsyncStream<AppEvent>.makeStream()
        let dir = NSTemporaryDirectory() + "mydia-tui-tracks-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let runner = EffectRunner(store: try CredentialStore(directory: URL(fileURLWithPath: dir)), playback: player,
                                  cache: CatalogCache(directory: URL(fileURLWithPath: dir)), deviceName: "t", logger: Logger(label: "t"), post: post)
        runner.run(.play(PlaybackViewTests.pilot), state: state)
        var iterator = events.makeAsyncIterator()
        while state.playback == nil, let event = await iterator.next() { _ = state.reduce(event) }
        let audio = T.keys(&state, .character("a"))
        #expect(audio == [.cycleTrack(.audio)])
        for effect in audio { runner.run(effect, state: state) }
        while state.message?.text != "Audio: 2 · jpn", let event = await iterator.next() { _ = state.reduce(event) }
        #expect(Renderer.frame(state).text.contains("Audio: 2 · jpn"))
        let subtitles = T.keys(&state, .character("s"))
        #expect(subtitles == [.cycleTrack(.subtitles)])
        for effect in subtitles { runner.run(effect, state: state) }
        while state.message?.text != "Subtitles: off", let event = await iterator.next() { _ = state.reduce(event) }
        // `s` no longer stops; `X` does.
        #expect(T.keys(&state, .character("X")) == [.stopPlayback])
        #expect(player.calls.withLock { $0 } == ["audio", "subtitles"])
    }

    @Test func dDownloadsTheSelectedMovieOrEpisodeAndRefusesShows() throws {
        var state = try T.browsing(rows: 30, columns: 100, movies: 3)
        _ = T.keys(&state, .character("2"))
        let movie = try #require(state.selectedRow)
        guard case .movie(let m) = movie.target else { Issue.record("not a movie row"); return }
        #expect(T.keys(&state, .character("d")) == [.download(id: m.id, title: m.title)])
        _ = T.keys(&state, .character("3"))
        #expect(T.keys(&state, .character("d")).isEmpty)
        #expect(state.message?.text == "Only movies and episodes can be downloaded.")
    }

    @Test func downloadProgressReadsLikeAProgressBar() {
        let line = EffectRunner.progressLine(title: "Amélie", DownloadProgressFixture.halfway)
        #expect(line == "Downloading Amélie — 50 % · 50 MB of 100 MB · 10.0 MB/s · 5 s left")
    }

    @Test func homeRailsAskForTheirPostersAndDrawThemInTheCards() throws {
        var state = try T.browsing(rows: 40, columns: 120, movies: 3)
        state.artwork = ArtworkShelf(settings: PosterSettings(mode: .symbols))
        let recent = try SyntheticCatalog.decode([RecentlyAddedItem].self, (1...3).map { i in [
            "id": "m\(i)", "type": "MOVIE", "title": "Film \(i)", "year": 2000 + i, "addedAt": "2026-01-0\(i)T00:00:00Z",
            "artwork": ["posterUrl": "/api/v1/artwork/movie/m\(i)/poster"],
        ] as [String: Any] })
        let effects = state.reduce(.loaded(.home(continueWatching: [], recentlyAdded: recent))) + T.keys(&state, .character("1"))
        #expect(state.layout.railMode)
        let requests = effects.compactMap { if case .loadArtwork(let r) = $0 { r } else { nil } }
        #expect(Set(requests.map(\.url)) == Set((1...3).map { "/api/v1/artwork/movie/m\($0)/poster" }))
        let box = try #require(state.railPosterBox)
        #expect(requests.allSatisfy { $0.box == box })
        #expect(Renderer.frame(state).pictures.isEmpty, "nothing drawn before the images arrive")
        for request in requests { _ = state.reduce(.artwork(url: request.url, .ready(PosterStateTests.image))) }
        let pictures = Renderer.frame(state).pictures
        #expect(pictures.count == 3)
        // Each inside its card: the first card's slot starts one row and one column inside its border.
        let first = try #require(pictures.min { $0.column < $1.column })
        #expect(first.column == 2)
        guard case .symbols(let c, let r, _) = first.art else { Issue.record("not symbols"); return }
        #expect(c <= box.columns && r <= box.rows)
        // Posters off: nothing asked for on rails either.
        var off = try T.browsing(rows: 40, columns: 120, movies: 3)
        off.artwork = ArtworkShelf(settings: PosterSettings(mode: .off))
        let none = off.reduce(.loaded(.home(continueWatching: [], recentlyAdded: recent))) + T.keys(&off, .character("1"))
        #expect(!none.contains { if case .loadArtwork = $0 { true } else { false } })
    }
}

/// A download half done: 50 of 100 MB at 10 MB/s.
enum DownloadProgressFixture {
    static var halfway: MydiaDownloads.DownloadProgress {
        MydiaDownloads.DownloadProgress(itemID: "m1", title: "Amélie", phase: .downloading, bytes: 50_000_000, total: 100_000_000,
                                        bytesPerSecond: 10_000_000, resumedFrom: 0)
    }
}
