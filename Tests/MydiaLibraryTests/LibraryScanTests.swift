import Foundation
import MydiaLibrary
import Testing

@Suite struct LibraryScanTests {
    @Test func scanFindsMoviesShowsAndProbedFacts() async throws {
        let f = try await Fixture.make()
        let movies = try await f.library.movies()
        #expect(movies.map(\.title) == ["Amélie à Paris", "Big Test Pattern", "東京物語"])
        #expect(movies.map(\.year) == [2001, 2019, 1953])
        let shows = try await f.library.shows()
        #expect(shows.map(\.title) == ["Signal Hour"])
        let episodes = try await f.library.episodes(showID: shows[0].id)
        #expect(episodes.map { "\($0.seasonNumber)x\($0.episodeNumber) \($0.title)" } ==
            ["1x1 Pilot", "1x2 Colour Bars", "1x3 Static", "2x1 Return", "2x2 Finale"])

        let files = try await f.library.files(itemID: movies[0].id)
        let file = try #require(files.first)
        #expect(file.relativePath == "Movies/Amélie à Paris (2001).mkv")
        #expect(file.resolution == "320x240")
        #expect(file.videoCodec == "h264")
        #expect(file.audioCodec == "aac")
        #expect(abs(file.duration - 2) < 0.3)
        #expect(file.size > 1000)
        #expect((file.bitrate ?? 0) > 0)
        #expect(FileManager.default.fileExists(atPath: file.url.path))
        #expect(try await f.library.mediaFile(id: file.id) == file)
    }

    @Test func idsAreStableAcrossRescansRestartsAndFreshDatabases() async throws {
        let f = try await Fixture.make()
        let before = try await snapshot(f.library)
        let again = try await f.library.rescan()
        #expect(again.probed == 0)  // unchanged files are not re-probed
        #expect(try await snapshot(f.library) == before)

        // Restart: a new database handle on the same state folder.
        let reopened = MediaLibrary(root: f.root, database: try LibraryDatabase(stateDirectory: f.state))
        #expect(try await snapshot(reopened) == before)

        // Ids derive from paths, so even an empty database gives the same ids.
        let fresh = MediaLibrary(root: f.root, database: try .inMemory())
        try await fresh.rescan()
        #expect(try await snapshot(fresh) == before)
    }

    @Test func rescanReflectsAddedAndRemovedFiles() async throws {
        let f = try await Fixture.make()
        let movies = try await f.library.movies()
        let keep = movies.first { $0.title == "東京物語" }!
        let fm = FileManager.default
        try fm.removeItem(at: f.root.appendingPathComponent("Movies/Big Test Pattern (2019).mp4"))
        try fm.copyItem(at: f.root.appendingPathComponent("Movies/東京物語 (1953).mp4"),
                        to: f.root.appendingPathComponent("Movies/Ça Tourne (2020).mp4"))
        try fm.removeItem(at: f.root.appendingPathComponent("Shows/Signal Hour/Season 2"))

        let summary = try await f.library.rescan()
        #expect(summary.probed == 1)
        let after = try await f.library.movies()
        #expect(after.map(\.title) == ["Amélie à Paris", "Ça Tourne", "東京物語"])
        #expect(after.first { $0.title == "東京物語" }?.id == keep.id)
        #expect(after.first { $0.title == "東京物語" }?.addedAt == keep.addedAt)
        let show = try #require(try await f.library.shows().first)
        #expect(try await f.library.episodes(showID: show.id).count == 3)

        try fm.removeItem(at: f.root.appendingPathComponent("Shows/Signal Hour/Season 1"))
        try await f.library.rescan()
        #expect(try await f.library.shows().isEmpty)
    }

    @Test func sidecarsFillOverviewGenresAndShowDetails() async throws {
        let f = try await Fixture.make()
        let amelie = try #require(try await f.library.movies().first { $0.year == 2001 })
        #expect(amelie.overview == "Une jeune femme change la vie des gens autour d’elle.")
        #expect(amelie.genres == ["Comédie", "Romance"])
        let show = try #require(try await f.library.shows().first)
        #expect(show.overview == "Engineers chase a stray test signal.")
        #expect(show.status == "ended")
        #expect(show.year == 2021)
        let pilot = try #require(try await f.library.episodes(showID: show.id).first)
        #expect(pilot.overview == "The tone appears.")
        #expect(pilot.airDate == "2021-03-01")
    }

    @Test func brokenSidecarsAndUnreadableFilesAreSkippedNotFatal() async throws {
        let f = try await Fixture.make(scan: false)
        try Data("{not json".utf8).write(to: f.root.appendingPathComponent("Movies/Big Test Pattern (2019).json"))
        try Data("garbage".utf8).write(to: f.root.appendingPathComponent("Movies/Broken (1999).mkv"))
        let summary = try await f.library.rescan()
        #expect(summary.unreadable == 1)
        #expect(summary.movies == 3)
        let big = try #require(try await f.library.movies().first { $0.year == 2019 })
        #expect(big.overview == nil)
        #expect(big.genres.isEmpty)
    }

    @Test func namesParseMoviesSeasonsAndEpisodes() {
        #expect(LibraryNames.titleAndYear("Amélie à Paris (2001)") == ("Amélie à Paris", 2001))
        #expect(LibraryNames.titleAndYear("No Year") == ("No Year", nil))
        #expect(LibraryNames.titleAndYear("Odd (12345)") == ("Odd (12345)", nil))
        #expect(LibraryNames.seasonNumber(folder: "Season 12") == 12)
        #expect(LibraryNames.seasonNumber(folder: "Specials") == 0)
        #expect(LibraryNames.seasonNumber(folder: "Extras") == nil)
        let ep = LibraryNames.episode(stem: "Show - S02E10 - A - B")
        #expect(ep?.season == 2 && ep?.episode == 10 && ep?.title == "A - B")
        #expect(LibraryNames.episode(stem: "Show - s1e3")?.title == nil)
        #expect(LibraryNames.episode(stem: "Show - Pilot") == nil)
        let loose = LibraryNames.episode(stem: "Show.S03E04.720p")
        #expect(loose?.season == 3 && loose?.episode == 4 && loose?.title == nil)
        #expect(LibraryNames.episode(stem: "Sessions Every Day") == nil)
        #expect(LibraryNames.clean("Bad\u{1b}[31mName\u{7}") == "Bad[31mName")
        #expect(LibraryNames.folded("ÉCOLE") == LibraryNames.folded("ecole"))
    }

    private func snapshot(_ library: MediaLibrary) async throws -> [String] {
        var ids = try await library.movies().map { "\($0.id) \($0.title)" }
        for show in try await library.shows() {
            ids.append("\(show.id) \(show.title)")
            for e in try await library.episodes(showID: show.id) {
                ids.append("\(e.id) \(e.title)")
                ids += try await library.files(itemID: e.id).map(\.id)
            }
        }
        for m in try await library.movies() { ids += try await library.files(itemID: m.id).map(\.id) }
        return ids
    }
}
