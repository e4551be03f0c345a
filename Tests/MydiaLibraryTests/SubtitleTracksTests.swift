import Foundation
import MydiaLibrary
import Testing

/// `MediaFile.subtitles` (PROTOCOL.md §14.1): embedded streams from the scan, sidecars from the
/// video's folder, languages as ISO 639-2.
@Suite struct SubtitleTracksTests {
    typealias Parts = SidecarSubtitles.NameParts

    @Test(arguments: [
        ("Movie.srt", Parts(language: "und", forced: false, hearingImpaired: false, extra: [], format: "srt", deliverable: true)),
        ("Movie.en.srt", Parts(language: "eng", forced: false, hearingImpaired: false, extra: [], format: "srt", deliverable: true)),
        ("Movie.eng.forced.srt", Parts(language: "eng", forced: true, hearingImpaired: false, extra: [], format: "srt", deliverable: true)),
        ("Movie.en.sdh.vtt", Parts(language: "eng", forced: false, hearingImpaired: true, extra: [], format: "vtt", deliverable: true)),
        ("Movie.de.ASS", Parts(language: "ger", forced: false, hearingImpaired: false, extra: [], format: "ass", deliverable: true)),
        ("Movie.deu.ssa", Parts(language: "ger", forced: false, hearingImpaired: false, extra: [], format: "ssa", deliverable: true)),
        ("Movie.French.foreign.srt", Parts(language: "fre", forced: true, hearingImpaired: false, extra: [], format: "srt", deliverable: true)),
        ("Movie.pt-BR.srt", Parts(language: "por", forced: false, hearingImpaired: false, extra: [], format: "srt", deliverable: true)),
        ("Movie.hi.srt", Parts(language: "hin", forced: false, hearingImpaired: false, extra: [], format: "srt", deliverable: true)),
        ("Movie.en.hi.srt", Parts(language: "eng", forced: false, hearingImpaired: true, extra: [], format: "srt", deliverable: true)),
        ("Movie.en.cc.default.srt", Parts(language: "eng", forced: false, hearingImpaired: true, extra: [], format: "srt", deliverable: true)),
        ("Movie.en.Commentary.srt", Parts(language: "eng", forced: false, hearingImpaired: false, extra: ["Commentary"], format: "srt", deliverable: true)),
        ("Movie.en.sup", Parts(language: "eng", forced: false, hearingImpaired: false, extra: [], format: "pgs", deliverable: false)),
        ("Movie.idx", Parts(language: "und", forced: false, hearingImpaired: false, extra: [], format: "vobsub", deliverable: false)),
    ])
    func sidecarNamesSayLanguageAndFlags(_ name: String, _ parts: Parts) {
        #expect(SidecarSubtitles.parse(fileName: name, videoStem: "Movie") == parts)
    }

    @Test(arguments: ["Movie.mkv", "Movie.json", "Movies.en.srt", "Other.en.srt", "Movie.en.srt.bak", "movie.en.srt"])
    func otherNamesAreNotSidecars(_ name: String) {
        #expect(SidecarSubtitles.parse(fileName: name, videoStem: "Movie") == nil)
    }

    @Test func languageCodesBecomeBibliographicISO639_2() {
        #expect(LanguageCode.iso639_2("en") == "eng" && LanguageCode.iso639_2("DE") == "ger" && LanguageCode.iso639_2("deu") == "ger")
        #expect(LanguageCode.iso639_2("zho") == "chi" && LanguageCode.iso639_2("zh-Hans") == "chi" && LanguageCode.iso639_2("en_US") == "eng")
        #expect(LanguageCode.iso639_2("tlh") == "tlh", "an unknown three-letter tag is kept")
        #expect(LanguageCode.iso639_2(nil) == "und" && LanguageCode.iso639_2("") == "und" && LanguageCode.iso639_2("x1") == "und")
        #expect(LanguageCode.name("ger") == "German" && LanguageCode.name("deu") == "German" && LanguageCode.name("und") == nil)
        #expect(LanguageCode.fromFileNameWord("tlh") == nil, "a file name's word must be a known language")
    }

    @Test func aScannedFileListsEmbeddedThenSidecarTracks() async throws {
        let (root, _, library) = try await SubtitleLibrary.scanned()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let file = try #require(try await SubtitleLibrary.file(library, "Subtitled (2020).mkv"))
        let tracks = library.subtitleTracks(of: file)
        #expect(tracks.map(\.language) == ["ger", "eng", "eng", "eng", "eng"])
        // Sidecars in file-name order: `.en.sdh.vtt`, `.en.srt`, `.eng.forced.ass`.
        #expect(tracks.map(\.format) == ["srt", "pgs", "vtt", "srt", "ass"])
        #expect(tracks.map(\.embedded) == [true, true, false, false, false])
        #expect(tracks.map(\.deliverable) == [true, false, true, true, true])
        #expect(tracks.map(\.forced) == [true, false, false, false, true])
        #expect(tracks.map(\.hearingImpaired) == [false, false, true, false, false])
        #expect(tracks.map(\.title) == ["Deutsch", "English", "English (SDH)", "English", "English (Forced)"])
        #expect(tracks[0].trackID == "2" && tracks[1].trackID == "3")
        let sidecarIDs = tracks.dropFirst(2).map(\.trackID)
        #expect(sidecarIDs.allSatisfy { $0.hasPrefix("sc_") && $0.count == 23 && $0.dropFirst(3).allSatisfy(\.isHexDigit) })
        #expect(sidecarIDs[1] == SidecarSubtitles.trackID(fileName: "Subtitled (2020).en.srt"))
        #expect(tracks[0].webVTTURL(fileID: file.id) == "/api/player/v1/subtitles/file/\(file.id)/2?format=vtt")
        #expect(tracks[1].webVTTURL(fileID: file.id) == nil, "an image track has no VTT URL")

        // Looked up by id, and a sidecar added after the scan is seen at once.
        #expect(try await library.subtitleTrack(fileID: file.id, trackID: "2")?.track == tracks[0])
        #expect(try await library.subtitleTrack(fileID: file.id, trackID: sidecarIDs[1])?.track == tracks[3])
        #expect(try await library.subtitleTrack(fileID: file.id, trackID: "0") == nil, "the video stream is not a subtitle")
        #expect(try await library.subtitleTrack(fileID: file.id, trackID: "../../etc/passwd") == nil)
        #expect(try await library.subtitleTrack(fileID: "mf_nope", trackID: "2") == nil)
        try Data("1\n00:00:00,000 --> 00:00:01,000\nBonjour\n".utf8)
            .write(to: root.appendingPathComponent("Movies/Subtitled (2020).fr.srt"))
        let added = SidecarSubtitles.trackID(fileName: "Subtitled (2020).fr.srt")
        #expect(try await library.subtitleTrack(fileID: file.id, trackID: added)?.track.language == "fre")
        #expect(try await library.subtitleTracks(fileID: file.id)?.count == 6)

        let plain = try #require(try await SubtitleLibrary.file(library, "Plain (2021).mp4"))
        #expect(library.subtitleTracks(of: plain).isEmpty)
    }

    @Test func aLongerVideoStemKeepsItsOwnSidecarsAndIdxClaimsItsSub() throws {
        let folder = try SampleLibrary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["Movie.mkv", "Movie.Extended.mkv", "Movie.en.srt", "Movie.Extended.en.srt", "Movie.idx", "Movie.sub",
                     "Movie.de.sub", ".Movie.en.srt"] {
            try Data("x".utf8).write(to: folder.appendingPathComponent(name))
        }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("Movie.fr.srt"), withIntermediateDirectories: true)
        let short = SidecarSubtitles.tracks(forVideo: folder.appendingPathComponent("Movie.mkv"))
        #expect(short.map(\.format) == ["sub", "srt", "vobsub"])
        #expect(short.map(\.language) == ["ger", "eng", "und"])
        let long = SidecarSubtitles.tracks(forVideo: folder.appendingPathComponent("Movie.Extended.mkv"))
        #expect(long.map(\.language) == ["eng"] && long.map(\.format) == ["srt"])
    }
}
