import Foundation
import MydiaAPI
import Testing
@testable import MydiaTUI

/// Sort and filter in Movies and Shows, `w` and its offline queue, the home rails and the small
/// pairing and player fixes — driven through the reducer and rendered to frames.
@Suite struct LibraryBrowsingTests {
    init() { T.utf8() }

    /// A small library: accented, CJK (with a latin original title) and plain titles, with years,
    /// dates added, ratings, genres and one watched movie.
    static func library() throws -> Connection<Movie> {
        let movies: [[String: Any]] = [
            // In the server's order: by folded title.
            movie("m2", "Amélie à Paris", year: 2001, added: "2026-01-01T00:00:00Z", rating: 8.3, genres: ["Comédie", "Romance"], watched: true),
            movie("m1", "Big Test Pattern", year: 2019, added: "2026-01-03T00:00:00Z", rating: 6.1, genres: ["Documentary"]),
            movie("m4", "Zoë’s Garage", year: nil, added: "2026-01-04T00:00:00Z", rating: nil, genres: ["Drama"]),
            movie("m3", "東京物語", original: "Tokyo Story", year: 1953, added: "2026-01-02T00:00:00Z", rating: 8.2, genres: ["Drama"]),
        ]
        return try SyntheticCatalog.decode(Connection<Movie>.self, [
            "edges": movies.enumerated().map { ["cursor": "c\($0.offset)", "node": $0.element] },
            "pageInfo": ["hasNextPage": false, "endCursor": "c3"], "totalCount": movies.count,
        ] as [String: Any])
    }

    static func movie(_ id: String, _ title: String, original: String? = nil, year: Int?, added: String, rating: Double?,
                      genres: [String], watched: Bool = false) -> [String: Any] {
        var json = SyntheticCatalog.movieJSON(0, title: title)
        json["id"] = id
        json["originalTitle"] = original ?? NSNull()
        json["year"] = year ?? NSNull()
        json["addedAt"] = added
        json["rating"] = rating ?? NSNull()
        json["genres"] = genres
        json["progress"] = watched
            ? ["positionSeconds": 5400, "durationSeconds": 5400, "percentage": 100.0, "watched": true, "lastWatchedAt": NSNull()] as [String: Any]
            : NSNull()
        return json
    }

    static func state() throws -> AppState {
        var state = try T.browsing()
        _ = state.reduce(.loaded(.movies(try library(), replacing: true)))
        _ = T.keys(&state, .character("2"))
        return state
    }

    static func titles(_ state: AppState) -> [String] {
        (0..<state.count(.movies)).compactMap { state.row(.movies, $0)?.title }
    }

    @Test func sortCyclesTitleYearDateAddedRatingAndReverses() throws {
        var state = try Self.state()
        #expect(Self.titles(state) == ["Amélie à Paris", "Big Test Pattern", "Zoë’s Garage", "東京物語"])
        #expect(T.text(state).contains("by title"))
        // `o`: by year, newest first, and the first page is asked for again in that order.
        let effects = T.keys(&state, .character("o"))
        #expect(effects.contains(.loadMovies(after: nil)))
        #expect(state.options(.movies).sort == ListSort(.year, descending: true))
        #expect(Self.titles(state) == ["Zoë’s Garage", "Big Test Pattern", "Amélie à Paris", "東京物語"])  // no year: first when descending
        #expect(T.text(state).contains("by year ↓"))
        _ = T.keys(&state, .character("O"))
        #expect(Self.titles(state) == ["東京物語", "Amélie à Paris", "Big Test Pattern", "Zoë’s Garage"])
        _ = T.keys(&state, .character("o"))  // date added, newest first
        #expect(Self.titles(state) == ["Zoë’s Garage", "Big Test Pattern", "東京物語", "Amélie à Paris"])
        _ = T.keys(&state, .character("o"))  // rating, highest first
        #expect(Self.titles(state) == ["Zoë’s Garage", "Amélie à Paris", "東京物語", "Big Test Pattern"])
        _ = T.keys(&state, .character("o"))
        #expect(state.options(.movies).sort == .byTitle)
    }

    @Test func filterMatchesWithoutAccentsAcrossScriptsAndFuzzily() throws {
        var state = try Self.state()
        _ = T.keys(&state, .character("f"))
        #expect(state.editingFilter)
        for c in "amelie" { _ = T.keys(&state, .character(c)) }
        #expect(Self.titles(state) == ["Amélie à Paris"])
        #expect(T.text(state).contains("filter: amelie"))
        _ = T.keys(&state, .escape)  // Esc clears the filter
        #expect(Self.titles(state).count == 4)
        _ = T.keys(&state, .character("f"))
        for c in "tokyo" { _ = T.keys(&state, .character(c)) }
        #expect(Self.titles(state) == ["東京物語"])  // through its latin original title
        _ = T.keys(&state, .enter)
        #expect(!state.editingFilter && state.options(.movies).filter == "tokyo")
        _ = T.keys(&state, .character("f"))
        for _ in 0..<5 { _ = T.keys(&state, .backspace) }
        for c in "東京" { _ = T.keys(&state, .character(c)) }
        #expect(Self.titles(state) == ["東京物語"])
        for _ in 0..<2 { _ = T.keys(&state, .backspace) }
        for c in "zoes grg" { _ = T.keys(&state, .character(c)) }  // accents and letters left out
        #expect(Self.titles(state) == ["Zoë’s Garage"])
        for c in "x" { _ = T.keys(&state, .character(c)) }
        #expect(Self.titles(state).isEmpty && T.text(state).contains("Nothing matches"))
    }

    @Test func unwatchedOnlyAndGenreNarrowTheList() throws {
        var state = try Self.state()
        _ = T.keys(&state, .character("u"))
        #expect(!Self.titles(state).contains("Amélie à Paris") && Self.titles(state).count == 3)
        #expect(T.text(state).contains("unwatched"))
        _ = T.keys(&state, .character("u"), .character("F"))  // genres sorted: Comédie, Documentary, Drama, Romance
        #expect(state.options(.movies).genre == "Comédie" && Self.titles(state) == ["Amélie à Paris"])
        _ = T.keys(&state, .character("F"), .character("F"))
        #expect(state.options(.movies).genre == "Drama" && Self.titles(state) == ["Zoë’s Garage", "東京物語"])
    }

    @Test func optionsAreRememberedPerListInTheCache() throws {
        var state = try Self.state()
        _ = T.keys(&state, .character("o"), .character("u"))
        _ = T.keys(&state, .character("3"), .character("o"), .character("O"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mydia-opts-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cache = CatalogCache(directory: dir)
        try cache.save(state.catalog, instanceID: "i1")
        let loaded = try #require(cache.load(instanceID: "i1"))
        #expect(loaded.listOptions[.movies]?.sort == ListSort(.year, descending: true) && loaded.listOptions[.movies]?.unwatchedOnly == true)
        #expect(loaded.listOptions[.shows]?.sort == ListSort(.year, descending: false))
        let restarted = AppState(rows: 30, columns: 100, paired: true, cached: loaded)
        #expect(Self.titles(restarted) == ["Zoë’s Garage", "Big Test Pattern", "東京物語"])
    }

    @Test func wMarksAMovieAtOnceAndQueuesTheMarkUntilTheServerTakesIt() throws {
        var state = try Self.state()
        _ = T.keys(&state, .character("j"))  // Big Test Pattern
        let effects = T.keys(&state, .character("w"))
        let mark = WatchMark(.movie("m1"), watched: true)
        #expect(effects.contains(.sendMark(mark)))
        #expect(state.catalog.movies.items.first { $0.id == "m1" }?.progress?.watched == true)
        #expect(state.row(.movies, 1)?.detail.hasPrefix("✓") == true)
        #expect(state.catalog.pendingMarks == [mark])
        // Offline: the mark stays, nothing is resent before the backoff is over.
        _ = state.reduce(.markFailed(mark, "The relay does not answer.", permanent: false))
        #expect(state.catalog.pendingMarks == [mark] && T.text(state).contains("1 mark queued"))
        #expect(!state.reduce(.tick(state.now.addingTimeInterval(1))).contains(.sendMark(mark)))
        #expect(state.reduce(.tick(state.now.addingTimeInterval(2))).contains(.sendMark(mark)))
        // A second `w` while the first is on its way: the newer mark replaces the waiting one.
        _ = T.keys(&state, .character("w"))
        let unmark = WatchMark(.movie("m1"), watched: false)
        #expect(state.catalog.pendingMarks == [unmark])
        #expect(state.catalog.movies.items.first { $0.id == "m1" }?.progress?.watched == false)
        // The first answer does not drop the newer mark; it goes next.
        #expect(state.reduce(.markStored(mark)).contains(.sendMark(unmark)))
        _ = state.reduce(.markStored(unmark))
        #expect(state.catalog.pendingMarks.isEmpty)
    }

    @Test func waitingMarksSurviveAReloadAndARestart() throws {
        var state = try Self.state()
        _ = T.keys(&state, .character("w"))  // Amélie: watched → unwatched
        _ = state.reduce(.markFailed(WatchMark(.movie("m2"), watched: false), "offline", permanent: false))
        // The server's list (which still says watched) arrives: the waiting mark wins.
        _ = state.reduce(.loaded(.movies(try Self.library(), replacing: true)))
        #expect(state.catalog.movies.items.first { $0.id == "m2" }?.progress?.watched == false)
        var restarted = AppState(rows: 30, columns: 100, paired: true, cached: state.catalog)
        let effects = restarted.reduce(.sessionOpened(serverName: "Wohnzimmer", relay: "http://127.0.0.1:4000"))
        #expect(effects.contains(.sendMark(WatchMark(.movie("m2"), watched: false))))
    }

    @Test func aRefusedMarkIsDroppedWithItsReason() throws {
        var state = try Self.state()
        _ = T.keys(&state, .character("w"))
        _ = state.reduce(.markFailed(WatchMark(.movie("m2"), watched: false), "The server refused the request: Movie m2 not found.", permanent: true))
        #expect(state.catalog.pendingMarks.isEmpty && T.text(state).contains("Movie m2 not found"))
    }

    @Test func wOnASeasonMarksEveryEpisode() throws {
        var state = try T.browsing()
        _ = T.keys(&state, .character("3"), .enter)
        _ = state.reduce(.loaded(.show(try T.show())))
        let key = SeasonKey(showID: "s1", season: 1)
        _ = state.reduce(.loaded(.season(key, [try T.episode(1, title: "Pilot"), try T.episode(2, title: "Colour Bars", progress: (60, 120, false))])))
        let effects = T.keys(&state, .character("w"))
        #expect(effects.contains(.sendMark(WatchMark(.season(showID: "s1", number: 1), watched: true))))
        #expect(state.episodes[key]?.allSatisfy { $0.progress?.watched == true } == true)
        _ = T.keys(&state, .enter)
        #expect(T.text(state).contains("✓"))
    }

    @Test func homeShowsThreeRailsOfCardsWhenWideAndListsWhenNarrow() throws {
        var state = try T.browsing(rows: 30, columns: 100)
        let cw = try SyntheticCatalog.decode([ContinueItem].self, [[
            "id": "e1-2", "type": "EPISODE", "title": "Colour Bars", "showId": "s1", "showTitle": "Signal Hour", "seasonNumber": 1,
            "episodeNumber": 2, "progress": ["positionSeconds": 60, "durationSeconds": 120, "percentage": 50.0, "watched": false, "lastWatchedAt": NSNull()],
            "files": [] as [Any],
        ] as [String: Any]])
        let next = try SyntheticCatalog.decode([UpNextItem].self, [[
            "episode": try JSONSerialization.jsonObject(with: JSONEncoder().encode(try T.episode(1, season: 2, title: "Return"))),
            "show": ["id": "s1", "title": "Signal Hour"], "progressState": "next",
        ] as [String: Any]])
        let recent = try SyntheticCatalog.decode([RecentlyAddedItem].self, [[
            "id": "m9", "type": "MOVIE", "title": "Amélie à Paris", "year": 2001, "addedAt": "2026-01-01T00:00:00Z", "artwork": NSNull(),
        ] as [String: Any]])
        _ = state.reduce(.loaded(.home(continueWatching: cw, recentlyAdded: recent)))
        _ = state.reduce(.loaded(.nextUp(next)))
        #expect(state.layout.railMode)
        var text = T.text(state)
        #expect(text.contains("Continue watching (1)") && text.contains("Next up (1)") && text.contains("Recently added (1)"))
        #expect(text.contains("┌") && text.contains("50%") && text.contains("S02E01 Return") && text.contains("2001"))
        // Down moves to the Next up rail; Enter plays its episode.
        _ = T.keys(&state, .down)
        #expect(state.homeFocus == .nextUp)
        let play = T.keys(&state, .enter)
        #expect(play.contains { if case .play(let r) = $0 { r.itemID == "e2-1" } else { false } })
        // Narrow: three lists.
        _ = state.reduce(.resize(rows: 30, columns: 70))
        text = T.text(state)
        #expect(!state.layout.railMode && !text.contains("┌") && text.contains("Next up") && text.contains("Signal Hour · S02E01 Return"))
    }

    @Test func aRefusalWrapsAndTheNextDigitStartsANewCode() {
        var state = AppState(rows: 24, columns: 60, paired: false, relay: "http://relay")
        _ = T.keys(&state, .character("1"), .character("2"), .character("3"), .character("4"), .character("5"), .character("6"), .enter)
        let refusal = "No server is waiting for this code — codes expire after ten minutes, so ask the server for a new one."
        _ = state.reduce(.pairingFailed(refusal))
        let text = T.text(state)
        #expect(text.contains("ask the server for a new one."))  // wrapped, not cut at the edge
        #expect(text.split(separator: "\n").allSatisfy { DisplayWidth.of($0) <= 60 })
        #expect(state.pairing.code == "123456")
        _ = T.keys(&state, .character("7"))
        #expect(state.pairing.code == "7")
        _ = T.keys(&state, .character("8"))
        #expect(state.pairing.code == "78")
    }

    @Test func aMissingAudioOrVideoOutputPointsToDoctor() {
        var state = AppState(rows: 24, columns: 100, paired: true)
        _ = state.reduce(.playbackFailed("mpv: [vo/gpu] Failed to initialize a video output. Error opening/initializing the selected video_out (--vo) device."))
        #expect(state.message?.text.contains("could not open a video output") == true)
        #expect(state.message?.text.contains("mydia-tui doctor") == true)
        var playing = AppState(rows: 24, columns: 200, paired: true)
        let request = PlaybackRequest(kind: .movie, itemID: "m1", fileID: "f1", title: "Big Test Pattern")
        _ = playing.reduce(.playback(PlaybackUpdate(item: request, phase: .failed("mpv could not play the stream (no audio or video data played)."))))
        #expect(T.text(playing).contains("could not open a video or audio output — run `mydia-tui doctor`"))
        _ = state.reduce(.playbackFailed("The server refused the request: no such file."))
        #expect(state.message?.text == "The server refused the request: no such file.")
    }

    @Test func mouseClickSelectsAndWheelScrolls() throws {
        var state = try T.browsing(rows: 30, columns: 100, movies: 50)
        _ = T.keys(&state, .character("2"))
        _ = state.reduce(.mouse(.click(row: 5, column: 4)))  // content top 1, heading row 1, rows from 2
        #expect(state.cursors[.movies]?.selected == 3)
        _ = state.reduce(.mouse(.wheelDown(row: 5, column: 4)))
        #expect(state.cursors[.movies]?.selected == 6)
        state.mouseEnabled = false
        _ = state.reduce(.mouse(.click(row: 2, column: 4)))
        #expect(state.cursors[.movies]?.selected == 6)
    }

    @Test func serverSwitchShowsTheOtherServersCacheAndNamesItInTheStatusBar() throws {
        var state = try Self.state()
        state.serverID = "i1"
        let effects = T.keys(&state, .character("S"))
        #expect(effects == [.listServers] && state.overlay == .servers)
        _ = state.reduce(.servers([ServerEntry(id: "i1", name: "Wohnzimmer", kind: .paired, address: "http://relay", state: .current),
                                   ServerEntry(id: "i2", name: "Keller", kind: .login, address: "https://keller.lan:4443", state: .warm)]))
        #expect(T.text(state).contains("Keller  ·  login https://keller.lan:4443  ·  warm"))
        #expect(T.keys(&state, .down, .enter) == [.saveCache, .switchServer("i2")])
        var other = CachedCatalog(savedAt: Date())
        other.movies.append(try T.movies(2)[0], replacing: true)
        _ = state.reduce(.serverSwitching(id: "i2", name: "Keller", cached: other))
        #expect(state.serverName == "Keller" && state.screen == .home && state.catalog.movies.items.count == 2)
        #expect(StatusBar.line(state, width: 100).text.contains("CONNECTING  Keller · "))
    }
}
