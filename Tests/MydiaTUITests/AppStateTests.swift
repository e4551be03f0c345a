import Foundation
import MydiaAPI
import Testing
@testable import MydiaTUI

/// The view models, driven by events and rendered to frames, without a terminal.
@Suite struct AppStateTests {
    init() { T.utf8() }

    @Test func firstRunShowsPairingAndNormalisesTheCode() {
        var state = AppState(rows: 24, columns: 80, paired: false, relay: "http://127.0.0.1:4000")
        #expect(state.screen == .pairing)
        #expect(T.text(state).contains("Pair with your server"))
        _ = T.keys(&state, .character("1"), .character("2"), .character("3"), .character("-"), .character("4"), .character(" "),
                   .character("5"), .character("6"), .character("7"))
        #expect(state.pairing.code == "123456")
        #expect(T.text(state).contains("Code:   123 456"))
        #expect(T.keys(&state, .enter) == [.pair(code: "123456", relay: "http://127.0.0.1:4000")])
        #expect(state.pairing.busy)
        #expect(T.keys(&state, .character("9")).isEmpty && state.pairing.code == "123456")  // locked while pairing
    }

    @Test func pairingShowsProgressTheCheckAndErrorsWithRetry() {
        var state = AppState(rows: 24, columns: 80, paired: false, relay: "")
        _ = T.keys(&state, .character("1"), .character("2"), .enter)
        #expect(state.pairing.error?.contains("6 characters") == true)
        _ = T.keys(&state, .character("3"), .character("4"), .character("5"), .character("6"), .enter)
        #expect(state.pairing.error?.contains("relay") == true && state.pairing.focus == .relay)
        _ = T.keys(&state, .character("h"), .character("t"), .enter)
        _ = state.reduce(.pairingProgress(.lookingUp))
        _ = state.reduce(.pairingProgress(.connecting("Wohnzimmer")))
        _ = state.reduce(.pairingProgress(.securing))
        _ = state.reduce(.pairingProgress(.check("042917")))
        let text = T.text(state)
        #expect(text.contains("✓ Looking up the code…") && text.contains("✓ Connecting via the relay to Wohnzimmer…"))
        #expect(text.contains("Pairing check: 042 917 — it must match the server's screen."))
        _ = state.reduce(.pairingFailed("No server is waiting for this code — check it."))
        #expect(T.text(state).contains("✗ No server is waiting for this code"))
        #expect(T.text(state).contains("press Enter to try again"))
        #expect(T.keys(&state, .enter) == [.pair(code: "123456", relay: "ht")])
        _ = state.reduce(.pairingProgress(.paired("Wohnzimmer")))
        _ = state.reduce(.sessionOpened(serverName: "Wohnzimmer", relay: "ht"))
        #expect(state.screen == .home)
    }

    @Test func browseShowsSeasonsEpisodesAndPlayAnEpisode() throws {
        var state = try T.browsing()
        _ = T.keys(&state, .character("3"))
        #expect(state.screen == .shows && T.text(state).contains("Signal Hour"))
        #expect(T.keys(&state, .enter) == [.loadShow("s1")])
        #expect(state.screen == .seasons(showID: "s1") && T.text(state).contains("Season 2"))
        _ = state.reduce(.loaded(.show(try T.show())))
        let effects = T.keys(&state, .enter)
        let key = SeasonKey(showID: "s1", season: 1)
        #expect(effects == [.loadSeason(key)])
        _ = state.reduce(.loaded(.season(key, [try T.episode(1, title: "Pilot"), try T.episode(2, title: "Colour Bars")])))
        _ = T.keys(&state, .character("j"))
        let text = T.text(state)
        #expect(text.contains("▸ S01E02  Colour Bars"))
        #expect(text.contains("320x240 · h264/aac"))  // the detail pane lists the file
        let play = T.keys(&state, .enter)
        #expect(play == [.play(PlaybackRequest(kind: .episode, itemID: "e1-2", fileID: "file-e1-2", title: "Signal Hour · S01E02 · Colour Bars"))])
        _ = T.keys(&state, .escape)
        #expect(state.screen == .seasons(showID: "s1"))
    }

    /// `[player] resume`: auto plays from the stored position, never from the start, ask shows the
    /// question (Enter resumes, the "first item" key starts over, Esc cancels); an item watched or
    /// past 90 % is never resumed and never asked about.
    @Test func theResumeModeDecidesWhereAPartlyWatchedItemStarts() throws {
        func episodes(_ mode: ResumeMode, keys: [Key]) throws -> (effects: [Effect], text: String) {
            var state = try T.browsing()
            state.resumeMode = mode
            _ = T.keys(&state, .character("3"), .enter)
            _ = state.reduce(.loaded(.show(try T.show())))
            _ = T.keys(&state, .enter)
            let key = SeasonKey(showID: "s1", season: 1)
            _ = state.reduce(.loaded(.season(key, [
                try T.episode(1, title: "Pilot", progress: (600, 1440, false)),
                try T.episode(2, title: "Colour Bars", progress: (1400, 1440, false)),
                try T.episode(3, title: "Static", progress: (700, 1440, true)),
            ])))
            var effects: [Effect] = []
            var text = ""
            for k in keys {
                effects += T.keys(&state, k)
                if state.overlay != nil { text = T.text(state) }
            }
            return (effects, text)
        }
        func request(_ n: Int, _ title: String, at start: Double?) -> Effect {
            .play(PlaybackRequest(kind: .episode, itemID: "e1-\(n)", fileID: "file-e1-\(n)", title: "Signal Hour · S01E0\(n) · \(title)",
                                  startPosition: start))
        }
        #expect(try episodes(.auto, keys: [.enter]).effects == [request(1, "Pilot", at: 600)])
        #expect(try episodes(.never, keys: [.enter]).effects == [request(1, "Pilot", at: 0)])
        let asked = try episodes(.ask, keys: [.enter])
        #expect(asked.effects.isEmpty)
        #expect(asked.text.contains("Resume?") && asked.text.contains("You stopped at 10:00"))
        #expect(asked.text.contains("Enter") && asked.text.contains("resume at 10:00") && asked.text.contains("play from the beginning"))
        #expect(try episodes(.ask, keys: [.enter, .enter]).effects == [request(1, "Pilot", at: 600)])
        #expect(try episodes(.ask, keys: [.enter, .character("g")]).effects == [request(1, "Pilot", at: 0)])
        #expect(try episodes(.ask, keys: [.enter, .escape]).effects.isEmpty)
        // Past 90 % and watched: from the start, no question.
        #expect(try episodes(.ask, keys: [.character("j"), .enter]).effects == [request(2, "Colour Bars", at: nil)])
        #expect(try episodes(.ask, keys: [.character("j"), .character("j"), .enter]).effects == [request(3, "Static", at: nil)])
    }

    @Test func theResumeSettingIsReadFromConfig() throws {
        #expect(try TUIConfig.parse("[player]\nresume = \"ask\"\n").resume == .ask)
        #expect(try TUIConfig.parse("").resume == .auto)
        #expect(throws: TUIConfig.Error.self) { try TUIConfig.parse("[player]\nresume = \"sometimes\"\n") }
    }

    @Test func withoutAPlayerEnterExplainsInsteadOfFailing() throws {
        var state = try T.browsing(playback: false)
        _ = T.keys(&state, .character("2"))
        #expect(!T.keys(&state, .enter).contains { if case .play = $0 { true } else { false } })
        #expect(T.text(state).contains("Playback is not available in this build"))
    }

    @Test func longListsPageIncrementallyAndRenderOnlyTheWindow() throws {
        let pages = try T.movies(10_000)
        var state = AppState(rows: 40, columns: 100, paired: true)
        _ = state.reduce(.sessionOpened(serverName: "x", relay: "r"))
        _ = state.reduce(.loaded(.movies(pages[0], replacing: true)))
        _ = T.keys(&state, .character("2"))
        #expect(T.text(state).contains("Movies (100 of 10000)"))
        var asked: [Effect] = []
        for _ in 0..<80 { asked += T.keys(&state, .character("j")) }
        #expect(asked == [.loadMovies(after: "c99")])  // once, even though j was pressed many more times
        _ = state.reduce(.loaded(.movies(pages[1], replacing: false)))
        #expect(state.catalog.movies.items.count == 200)
        _ = T.keys(&state, .character("G"))
        let frame = Renderer.frame(state)
        #expect(frame.lines.count == 40)
        #expect(frame.text.contains("▸ \(state.catalog.movies.items[199].title)"))
    }

    @Test func cachedCatalogShowsAtOnceMarkedThenRevalidates() throws {
        var cached = CachedCatalog(savedAt: Date(timeIntervalSinceNow: -300))
        cached.movies.append(try T.movies(3)[0], replacing: true)
        let now = Date()
        var state = AppState(rows: 24, columns: 100, paired: true, cached: cached, now: now)
        _ = T.keys(&state, .character("2"))
        #expect(T.text(state).contains("cached · 5 min ago"))
        #expect(T.text(state).contains(cached.movies.items[0].title))
        let effects = state.reduce(.sessionOpened(serverName: "x", relay: "r"))
        #expect(effects == [.loadHome, .loadMovies(after: nil), .loadShows(after: nil)])
        _ = state.reduce(.loaded(.home(continueWatching: [], recentlyAdded: [])))
        _ = state.reduce(.loaded(.movies(try T.movies(2)[0], replacing: true)))
        #expect(T.text(state).contains("cached · 5 min ago"))  // shows not revalidated yet
        _ = state.reduce(.loaded(.shows(try T.shows([]), replacing: true)))
        #expect(!T.text(state).contains("cached ·"))
        #expect(state.catalog.movies.items.count == 2)
    }

    @Test func searchFiltersLocallyAtOnceThenAsksTheServer() throws {
        var state = try T.browsing(movies: 3)
        _ = T.keys(&state, .character("/"))
        #expect(state.screen == .search && state.editingQuery)
        for c in "amelie" { _ = T.keys(&state, .character(c)) }  // accent-insensitive
        #expect(state.localMatches.map(\.title) == ["Amélie à Paris 1"])
        #expect(T.text(state).contains("1 loaded match"))
        #expect(T.keys(&state, .enter) == [.search("amelie")])
        _ = state.reduce(.loaded(.search(query: "amelie", [SearchHit(id: "m1", kind: .movie, title: "Amélie à Paris", year: 2001)])))
        #expect(T.text(state).contains("1 result from the server"))
        #expect(T.keys(&state, .enter) == [.fetchAndPlay(.movie, id: "m1")])
    }

    @Test func helpOverlayIsGeneratedFromTheKeyMap() throws {
        var state = AppState(rows: 40, columns: 100, keyMap: try KeyMap(overrides: ["quit": ["Q"], "down": ["n"]]), paired: true)
        _ = T.keys(&state, .character("?"))
        let text = T.text(state)
        #expect(text.contains("Q") && text.contains("quit") && text.contains("n ") && text.contains("move down"))
        #expect(!text.contains("j/Down"))
        _ = T.keys(&state, .escape)
        #expect(state.overlay == nil)
        #expect(T.keys(&state, .character("Q")) == [.saveCache, .quit])
    }

    @Test func everySizeDownToTinyRendersWithinBounds() throws {
        var state = try T.browsing()
        _ = T.keys(&state, .character("3"), .enter)
        for (rows, columns) in [(5, 20), (1, 1), (0, 0), (3, 10), (4, 20), (200, 300), (30, 100)] {
            _ = state.reduce(.resize(rows: rows, columns: columns))
            for overlay in [nil, Overlay.help, .connection] as [Overlay?] {
                state.overlay = overlay
                let frame = Renderer.frame(state)
                #expect(frame.lines.count == rows)
                for line in frame.lines { #expect(DisplayWidth.of(line.text) <= columns, "\(rows)x\(columns): \(line.text)") }
            }
        }
    }

    @Test func wideTitlesAreCutByDisplayWidthInLists() throws {
        var state = AppState(rows: 10, columns: 30, paired: true)
        let page = try SyntheticCatalog.decode(Connection<Movie>.self, [
            "edges": [["cursor": "a", "node": SyntheticCatalog.movieJSON(0, title: "東京物語東京物語東京物語東京物語")],
                      ["cursor": "b", "node": SyntheticCatalog.movieJSON(1, title: "Amélie à Paris, une très longue histoire")]],
            "pageInfo": ["hasNextPage": false, "endCursor": "b"], "totalCount": 2,
        ] as [String: Any])
        _ = state.reduce(.loaded(.movies(page, replacing: true)))
        _ = T.keys(&state, .character("2"))
        let lines = Renderer.frame(state).lines.map(\.text)
        let cjk = try #require(lines.first { $0.contains("東京") })
        let accented = try #require(lines.first { $0.contains("Amélie") })
        #expect(DisplayWidth.of(cjk) == 30 && DisplayWidth.of(accented) == 30)
        #expect(cjk.contains("…") && accented.contains("…"))
    }
}

/// Smaller screens and flows: devices, home, quitting while playing, terminal keys.
@Suite struct AppStateFlowTests {
    init() { T.utf8() }

    @Test func devicesScreenLoadsAndMarksThisDevice() throws {
        var state = try T.browsing()
        #expect(T.keys(&state, .character("4")) == [.loadDevices])
        let devices = try SyntheticCatalog.decode([Device].self, [
            ["id": "d1", "deviceName": "mydia-tui on laptop", "platform": "linux", "createdAt": "2026-11-01T10:00:00Z",
             "lastSeenAt": "2026-11-22T08:00:00Z", "isRevoked": false, "online": true],
            ["id": "d2", "deviceName": "old phone", "platform": "android", "createdAt": "2026-01-01T10:00:00Z",
             "lastSeenAt": "2026-02-01T08:00:00Z", "isRevoked": true],
        ])
        state.currentDeviceID = "d1"  // known from pairing or login, not from the list (§14.1)
        _ = state.reduce(.loaded(.devices(devices)))
        let text = T.text(state)
        #expect(text.contains("Server: Wohnzimmer · relay http://127.0.0.1:4000"))
        #expect(text.contains("mydia-tui on laptop [linux]") && text.contains("this device"))
        #expect(text.contains("old phone [android]") && text.contains("revoked"))
    }

    @Test func homeFocusesRecentlyAddedWhenNothingIsInProgressAndTabSwitches() throws {
        // 80 columns: the rails are lists (wider, they are rails of cards; see LibraryBrowsingTests).
        var state = AppState(rows: 30, columns: 80, paired: true, playbackAvailable: true)
        let recent = try SyntheticCatalog.decode([RecentlyAddedItem].self, [
            ["id": "s1", "type": "TV_SHOW", "title": "Signal Hour", "year": 2021, "addedAt": "2026-01-02T00:00:00Z",
             "latestSeasonNumber": 2, "latestEpisodeNumber": 4],
            ["id": "m1", "type": "MOVIE", "title": "東京物語", "year": 1953, "addedAt": "2026-01-01T00:00:00Z"],
        ])
        _ = state.reduce(.loaded(.home(continueWatching: [], recentlyAdded: recent)))
        #expect(state.homeFocus == .recentlyAdded)
        #expect(T.text(state).contains("▸ Signal Hour"))
        #expect(T.keys(&state, .enter) == [.loadShow("s1")])
        _ = T.keys(&state, .escape, .character("j"))
        #expect(T.keys(&state, .enter) == [.fetchAndPlay(.movie, id: "m1")])
        _ = T.keys(&state, .tab)
        #expect(state.homeFocus == .continueWatching)
    }

    @Test func terminatingWhilePlayingStopsThePlayerAndSavesTheCache() throws {
        var state = try T.browsing()
        _ = state.reduce(.playback(PlaybackUpdate(item: PlaybackViewTests.pilot, phase: .playing, position: 3)))
        #expect(state.reduce(.terminate) == [.stopPlayback, .saveCache, .quit])
        #expect(state.quitting)
        #expect(state.reduce(.terminate).isEmpty)  // only once
    }

    @Test func loadFailuresShowOneSentenceAndKeepTheCatalog() throws {
        var state = try T.browsing()
        _ = T.keys(&state, .character("2"))
        _ = state.reduce(.loadFailed(.movies, "The relay could not be reached (connection refused) — check the URL and your network."))
        let text = T.text(state)
        #expect(text.contains("The relay could not be reached"))
        #expect(text.contains("Big Test Pattern 0"))
        #expect(!state.loading.contains(.movies))
    }

    @Test func terminalCharactersBecomeKeys() {
        #expect(CursesScreen.characterKey(13) == .enter && CursesScreen.characterKey(10) == .enter)
        #expect(CursesScreen.characterKey(27) == .escape && CursesScreen.characterKey(127) == .backspace)
        #expect(CursesScreen.characterKey(4) == .control("d") && CursesScreen.characterKey(9) == .tab)
        #expect(CursesScreen.characterKey(0x6620) == .character("映"))
        #expect(CursesScreen.characterKey(0) == nil)
    }
}

/// The detail pane's subtitle tracks (issue 17 part 5): list queries leave them out, so the pane
/// asks for the item's detail where the cursor rests — on the second's tick, once per item.
@Suite struct DetailPaneTrackTests {
    init() { T.utf8() }

    @Test func theRestingItemsDetailIsAskedOnceAndItsTracksAreListed() throws {
        var state = try T.browsing(columns: 120)
        _ = T.keys(&state, .character("2"))
        let movie = try #require(state.catalog.movies.items.first)
        #expect(T.keys(&state, .character("j"), .character("k")).allSatisfy { if case .loadDetail = $0 { false } else { true } })
        #expect(state.reduce(.tick(Date())) == [.loadDetail(.movie, id: movie.id)])
        #expect(state.reduce(.tick(Date())).isEmpty)  // already asked
        let files = try SyntheticCatalog.decode([MediaFile].self, [[
            "id": "f1", "resolution": "1080p", "codec": "h264", "audioCodec": "aac", "size": 1e9, "bitrate": NSNull(), "duration": 5400.0,
            "container": "mkv", "subtitles": [
                ["trackId": "2", "language": "eng", "title": "English", "format": "subrip", "embedded": true, "deliverable": true,
                 "forced": false, "hearingImpaired": true, "url": "/api/player/v1/subtitles/file/f1/2?format=vtt"],
                ["trackId": "3", "language": "ger", "title": "Deutsch", "format": "hdmv_pgs_subtitle", "embedded": true,
                 "deliverable": false, "forced": true, "hearingImpaired": false, "url": NSNull()],
            ],
        ]])
        _ = state.reduce(.loaded(.detail(id: movie.id, files: files)))
        let text = T.text(state)
        #expect(text.contains("subtitles: eng · English · subrip · SDH"), "\(text)")
        #expect(text.contains("subtitles: ger · Deutsch · hdmv_pgs_subtitle · f"), "\(text)")  // cut at the pane's width
        #expect(state.reduce(.tick(Date())).isEmpty)
        // A narrow terminal has no detail pane: nothing is asked.
        var narrow = try T.browsing(columns: 60)
        _ = T.keys(&narrow, .character("2"))
        #expect(narrow.reduce(.tick(Date())).isEmpty)
    }
}
