import Foundation
import MydiaAPI
@testable import MydiaPlayback
import Testing

/// Which subtitle tracks reach mpv and which is selected (PROTOCOL.md §14.2.6), and how a
/// preferred language is read (`--sub`, `[player] subtitle_language`).
@Suite struct SubtitlePlanTests {
    /// A track as the server's GraphQL answer carries it.
    static func track(_ id: String, _ language: String, format: String = "srt", embedded: Bool = false, deliverable: Bool? = nil,
                      forced: Bool = false, sdh: Bool = false) throws -> SubtitleTrack {
        var object: [String: Any] = ["trackId": id, "language": language, "title": "\(language) \(id)", "format": format,
                                     "embedded": embedded, "forced": forced, "hearingImpaired": sdh]
        if let deliverable { object["deliverable"] = deliverable }
        return try JSONDecoder().decode(SubtitleTrack.self, from: JSONSerialization.data(withJSONObject: object))
    }

    /// The test library's movie: two embedded streams (German forced text, English PGS) and three
    /// sidecars (English, English SDH, English forced).
    static func subtitled() throws -> [SubtitleTrack] {
        [try Self.track("2", "ger", embedded: true, forced: true), try Self.track("3", "eng", format: "pgs", embedded: true, deliverable: false),
         try track("sc_forced", "eng", format: "ass", forced: true), try Self.track("sc_sdh", "eng", format: "vtt", sdh: true),
         try Self.track("sc_plain", "eng")]
    }

    @Test func languagesAreReadAsISO639TwoBibliographicCodes() {
        #expect(SubtitleLanguage("en")?.code == "eng" && SubtitleLanguage("ENG")?.code == "eng")
        #expect(SubtitleLanguage("de")?.code == "ger" && SubtitleLanguage("deu")?.code == "ger" && SubtitleLanguage("ger")?.code == "ger")
        #expect(SubtitleLanguage("pt-BR")?.code == "por" && SubtitleLanguage(" fr ")?.code == "fre")
        #expect(SubtitleLanguage("tlh")?.code == "tlh")  // another three-letter code stays as given
        for bad in ["", "e", "xx", "english", "e1", "ëng", "12"] { #expect(SubtitleLanguage(bad) == nil, "\(bad)") }
        #expect(SubtitleLanguage("de")?.matches("deu") == true && SubtitleLanguage("en")?.matches("ger") == false)
    }

    @Test func overHLSEveryTextTrackIsAddedAndThePlainOneInThePreferredLanguageIsSelected() throws {
        let plan = SubtitlePlan(tracks: try Self.subtitled(), directPlay: false, preferred: SubtitleLanguage("en"))
        #expect(plan.additions.map(\.track.trackId) == ["2", "sc_forced", "sc_sdh", "sc_plain"])  // never the PGS one
        #expect(plan.additions.filter(\.select).map(\.track.trackId) == ["sc_plain"])
        #expect(plan.selectEmbeddedStream == nil)
    }

    @Test func inDirectPlayTheFilesOwnStreamsAreNotAddedAgainButCanBeSelected() throws {
        let english = SubtitlePlan(tracks: try Self.subtitled(), directPlay: true, preferred: SubtitleLanguage("eng"))
        #expect(english.additions.map(\.track.trackId) == ["sc_forced", "sc_sdh", "sc_plain"])
        #expect(english.additions.filter(\.select).map(\.track.trackId) == ["sc_plain"])
        let german = SubtitlePlan(tracks: try Self.subtitled(), directPlay: true, preferred: SubtitleLanguage("de"))
        #expect(german.selectEmbeddedStream == 2 && !german.additions.contains(where: \.select))
    }

    @Test func forcedAndSDHTracksAreChosenOnlyWhenNothingPlainerExists() throws {
        let sdhOrForced = [try Self.track("f", "eng", forced: true), try Self.track("s", "eng", sdh: true)]
        #expect(SubtitlePlan(tracks: sdhOrForced, directPlay: false, preferred: SubtitleLanguage("en")).additions.filter(\.select)
            .map(\.track.trackId) == ["s"])
        let forcedOnly = [try Self.track("f", "eng", forced: true)]
        #expect(SubtitlePlan(tracks: forcedOnly, directPlay: false, preferred: SubtitleLanguage("en")).additions.map(\.select) == [true])
        // Among equals, the server's order.
        let two = [try Self.track("a", "eng"), try Self.track("b", "eng")]
        #expect(SubtitlePlan(tracks: two, directPlay: false, preferred: SubtitleLanguage("en")).additions.map(\.select) == [true, false])
    }

    @Test func withoutAPreferenceOrAMatchNothingIsSelectedButTracksAreStillAdded() throws {
        for preferred in [nil, SubtitleLanguage("ja")] {
            let plan = SubtitlePlan(tracks: try Self.subtitled(), directPlay: false, preferred: preferred)
            #expect(plan.additions.count == 4 && !plan.additions.contains(where: \.select) && plan.selectEmbeddedStream == nil)
        }
        #expect(SubtitlePlan(tracks: [], directPlay: false, preferred: SubtitleLanguage("en")).additions.isEmpty)
    }

    @Test func anOlderServerWithoutDeliverableIsJudgedByFormat() throws {
        let tracks = [try Self.track("1", "eng", format: "hdmv_pgs_subtitle", embedded: true), try Self.track("2", "eng", format: "subrip", embedded: true)]
        #expect(SubtitlePlan(tracks: tracks, directPlay: false, preferred: nil).additions.map(\.track.trackId) == ["2"])
    }
}
