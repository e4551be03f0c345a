import Foundation
import MydiaAPI
import MydiaPlayback
import Testing
@testable import MydiaTUI

/// The play menu (`p`, issue 20): it lists the file's audio streams and subtitle tracks, starts on
/// what is remembered for the show (else the file's default, else `[player] subtitle_language`),
/// and Enter starts playback with what was changed, as `play --audio/--sub` would.
@Suite struct PlayMenuTests {
    init() { T.utf8() }

    /// A file with a video stream, two audio streams (eng default, jpn commentary) and two subtitle
    /// tracks (eng SDH, ger forced image-based), as a current server's detail query answers.
    static func files(id: String = "f1", audio: [(String, Bool)] = [("eng", true), ("jpn", false)]) throws -> [MediaFile] {
        var streams: [[String: Any]] = [["type": "VIDEO", "index": 0, "codec": "h264", "language": NSNull(), "title": NSNull(),
                                          "isDefault": true, "isForced": false, "isHearingImpaired": false, "isCommentary": false, "channels": NSNull()]]
        for (i, (language, isDefault)) in audio.enumerated() {
            streams.append(["type": "AUDIO", "index": i + 1, "codec": "aac", "language": language, "title": i == 1 ? "Director" : NSNull(),
                            "isDefault": isDefault, "isForced": false, "isHearingImpaired": false, "isCommentary": i == 1, "channels": 2])
        }
        return try SyntheticCatalog.decode([MediaFile].self, [[
            "id": id, "resolution": "1080p", "codec": "h264", "audioCodec": "aac", "size": 1e9, "bitrate": NSNull(), "duration": 5400.0,
            "container": "mkv", "streams": (streams as [Any]) + [NSNull()],  // a null element: stock's lists are nullable
            "subtitles": [
                ["trackId": "3", "language": "eng", "title": "English", "format": "subrip", "embedded": true, "deliverable": true,
                 "forced": false, "hearingImpaired": true, "url": "/api/player/v1/subtitles/file/f1/3?format=vtt"],
                ["trackId": "4", "language": "ger", "title": "Deutsch", "format": "hdmv_pgs_subtitle", "embedded": true,
                 "deliverable": false, "forced": true, "hearingImpaired": false, "url": NSNull()],
            ],
        ] as [String: Any]])
    }

    /// Movies on screen, the first selected.
    static func movies() throws -> (AppState, Movie) {
        var state = try T.browsing(rows: 30, columns: 120)
        _ = T.keys(&state, .character("2"))
        return (state, try #require(state.catalog.movies.items.first))
    }

    @Test func pFetchesTheTracksShowsThemAndEnterPlaysWithTheChosenOnes() throws {
        var (state, movie) = try Self.movies()
        #expect(T.keys(&state, .character("p")) == [.loadDetail(.movie, id: movie.id)])
        #expect(state.overlay == .playMenu)
        #expect(T.text(state).contains("Loading the file's tracks…"))
        _ = state.reduce(.loaded(.detail(id: movie.id, files: try Self.files(id: movie.files[0].id))))
        let text = T.text(state)
        #expect(text.contains("● eng · AAC · 2 ch · default"), "\(text)")
        #expect(text.contains("○ jpn · AAC · 2 ch · Director · commentary"), "\(text)")
        #expect(text.contains("● Off") && text.contains("○ eng · English · SDH"), "\(text)")
        #expect(text.contains("ger · Deutsch · forced · image-based: direct play only"), "\(text)")
        // The second audio stream, Tab to subtitles, the English track; Enter plays with both.
        #expect(T.keys(&state, .character("j"), .tab, .down).isEmpty)
        let effects = T.keys(&state, .enter)
        var expected = PlaybackRequest(kind: .movie, itemID: movie.id, fileID: movie.files[0].id, title: movie.title,
                                       tracks: TrackSelection(audio: .language("jpn"), subtitle: .language("eng")))
        expected.startPosition = nil
        #expect(effects == [.play(expected)])
        #expect(state.overlay == nil && state.playMenu == nil)
        #expect(state.message?.text == "Starting \(movie.title)…")
    }

    @Test func unchangedColumnsLeaveTheChoiceToTheShowsMemorySoPThenEnterIsEnter() throws {
        var (state, movie) = try Self.movies()
        _ = T.keys(&state, .character("p"))
        _ = state.reduce(.loaded(.detail(id: movie.id, files: try Self.files(id: movie.files[0].id))))
        // Left and Right switch columns too; moving away and back is no change.
        _ = T.keys(&state, .right, .down, .up, .left)
        guard case .play(let request) = T.keys(&state, .enter).first else { Issue.record("Enter did not play"); return }
        #expect(request.tracks == TrackSelection())
        // Esc closes without playing; the detail is not asked again (the files are known).
        #expect(T.keys(&state, .character("p")).isEmpty)
        #expect(state.playMenu?.phase == .ready)
        #expect(T.keys(&state, .escape).isEmpty && state.overlay == nil)
    }

    @Test func anEpisodeStartsOnTheTracksRememberedForItsShow() throws {
        var state = try T.browsing(rows: 30, columns: 120)
        let key = SeasonKey(showID: "s1", season: 1)
        let episodes = try (1...2).map { try T.episode($0, title: ["Pilot", "Colour Bars"][$0 - 1]) }
        _ = T.keys(&state, .character("3"), .enter)
        _ = state.reduce(.loaded(.show(try T.show())))
        _ = T.keys(&state, .enter)
        _ = state.reduce(.loaded(.season(key, episodes)))
        let effects = T.keys(&state, .character("p"))
        #expect(effects == [.loadDetail(.episode, id: "e1-1"), .loadRememberedTracks(showID: "s1")])
        _ = state.reduce(.loaded(.detail(id: "e1-1", files: try Self.files(id: "file-e1-1"))))
        #expect(state.playMenu?.phase == .loading, "waits for the show's memory")
        _ = state.reduce(.rememberedTracks(showID: "s1", TrackSelection(audio: .language("ja"), subtitle: .off)))
        #expect(state.playMenu?.audioRow == 1 && state.playMenu?.subtitleRow == 0)
        #expect(T.text(state).contains("Signal Hour · S01E01 · Pilot"))
        // Back to English audio: only the audio column was changed.
        _ = T.keys(&state, .up)
        guard case .play(let request) = T.keys(&state, .enter).first else { Issue.record("Enter did not play"); return }
        #expect(request.tracks == TrackSelection(audio: .language("eng")))
        #expect(request.itemID == "e1-1" && request.fileID == "file-e1-1")
    }

    @Test func withoutMemoryTheSubtitleColumnStartsOnTheConfiguredLanguage() throws {
        var (state, movie) = try Self.movies()
        state.subtitleLanguage = SubtitleLanguage("en")
        _ = T.keys(&state, .character("p"))
        _ = state.reduce(.loaded(.detail(id: movie.id, files: try Self.files(id: movie.files[0].id))))
        #expect(state.playMenu?.subtitleRow == 1)
        // Off is then a change, passed as such.
        _ = T.keys(&state, .tab, .character("k"))
        guard case .play(let request) = T.keys(&state, .enter).first else { Issue.record("Enter did not play"); return }
        #expect(request.tracks == TrackSelection(subtitle: .off))
    }

    @Test func twoTracksInOneLanguageAreChosenByNumber() throws {
        var (state, movie) = try Self.movies()
        _ = T.keys(&state, .character("p"))
        _ = state.reduce(.loaded(.detail(id: movie.id, files: try Self.files(id: movie.files[0].id, audio: [("eng", true), ("eng", false)]))))
        _ = T.keys(&state, .down)
        guard case .play(let request) = T.keys(&state, .enter).first else { Issue.record("Enter did not play"); return }
        #expect(request.tracks == TrackSelection(audio: .number(2)))
    }

    @Test func aFailedFetchSaysSoAndEnterDoesNothing() throws {
        var (state, movie) = try Self.movies()
        _ = T.keys(&state, .character("p"))
        _ = state.reduce(.loadFailed(.detail(movie.id), "The server did not answer in time — try again."))
        let text = T.text(state)
        #expect(text.contains("✗ The tracks of \(movie.title) could not be fetched: The server did not answer in time"), "\(text)")
        #expect(T.keys(&state, .enter).isEmpty && state.overlay == .playMenu)
        #expect(T.keys(&state, .escape).isEmpty && state.overlay == nil)
    }

    @Test func onlyMoviesAndEpisodesHaveAPlayMenuAndHelpListsIt() throws {
        var state = try T.browsing(rows: 30, columns: 120)
        _ = T.keys(&state, .character("3"))
        #expect(T.keys(&state, .character("p")).isEmpty)
        #expect(state.message?.text == "The play menu is for movies and episodes.")
        _ = T.keys(&state, .character("?"))
        // 34 actions do not fit 30 rows in one column: two columns, so the last ones show too.
        let help = T.text(state)
        #expect(help.contains("p  ") && help.contains("pick audio and subtitles, then play"), "\(help)")
        #expect(help.contains("download for offline"), "\(help)")
        #expect(KeyMap.standard.action(for: .character("p")) == .playMenu)
    }
}

/// The play menu's Start column: a partly watched item resumes or starts over as chosen there,
/// in place of `[player] resume`'s question.
@Suite struct PlayMenuStartTests {
    init() { T.utf8() }

    /// Season 1 of the show on screen, its pilot stopped at 10:00 of 30:00.
    static func season(resumeMode: ResumeMode) throws -> AppState {
        var state = try T.browsing(rows: 30, columns: 120)
        state.resumeMode = resumeMode
        _ = T.keys(&state, .character("3"), .enter)
        _ = state.reduce(.loaded(.show(try T.show())))
        _ = T.keys(&state, .enter)
        _ = state.reduce(.loaded(.season(SeasonKey(showID: "s1", season: 1), [try T.episode(1, title: "Pilot", progress: (600, 1800, false))])))
        _ = T.keys(&state, .character("p"))
        _ = state.reduce(.loaded(.detail(id: "e1-1", files: try PlayMenuTests.files(id: "file-e1-1"))))
        _ = state.reduce(.rememberedTracks(showID: "s1", nil))
        return state
    }

    @Test func aPartlyWatchedItemResumesOrStartsOverAsChosenWithoutTheQuestion() throws {
        var state = try Self.season(resumeMode: .ask)
        #expect(T.text(state).contains("● Resume at 10:00   ○ From the beginning"), "\(T.text(state))")
        // Tab, Tab: the Start column; j: from the beginning.
        _ = T.keys(&state, .tab, .tab, .character("j"))
        #expect(state.playMenu?.column == .start)
        guard case .play(let request) = T.keys(&state, .enter).first else { Issue.record("Enter did not play"); return }
        #expect(request.startPosition == 0 && state.overlay == nil, "no resume question")

        var resuming = try Self.season(resumeMode: .ask)
        guard case .play(let resumed) = T.keys(&resuming, .enter).first else { Issue.record("Enter did not play"); return }
        #expect(resumed.startPosition == 600)
        // Shift-Tab from Audio wraps to Start too.
        var never = try Self.season(resumeMode: .never)
        #expect(never.playMenu?.startRow == 1)
        _ = T.keys(&never, .backTab)
        #expect(never.playMenu?.column == .start)
    }
}
