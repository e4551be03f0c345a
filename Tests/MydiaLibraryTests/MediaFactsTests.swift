import Foundation
import GRDB
import MydiaLibrary
import Testing

/// What the scan records per file for stock's media side (PROTOCOL.md §14.1): container, codecs
/// and every stream, from real ffprobe output, kept in SQLite.
@Suite struct MediaFactsTests {
    @Test func realFFprobeOutputGivesContainerAndStreams() throws {
        let (library, _) = try SubtitleLibrary.make()
        defer { try? FileManager.default.removeItem(at: library.deletingLastPathComponent()) }
        let facts = try CatalogProbe().probe(library.appendingPathComponent("Movies/Subtitled (2020).mkv"))
        #expect(facts.container == "mkv" && facts.videoCodec == "h264" && facts.audioCodec == "aac")
        #expect(facts.streams.map(\.index) == [0, 1, 2, 3])
        #expect(facts.streams.map(\.kind) == [.video, .audio, .subtitle, .subtitle])
        #expect(facts.streams.map(\.codec) == ["h264", "aac", "subrip", "hdmv_pgs_subtitle"])
        let video = facts.streams[0]
        #expect(video.width == 320 && video.height == 240 && video.profile == "Constrained Baseline" && video.level == 13)
        #expect(facts.streams[1].profile == "LC" && facts.streams[1].channels == 1)
        let srt = facts.streams[2]
        #expect(srt.language == "ger" && srt.title == "Deutsch" && srt.isForced && !srt.isHearingImpaired)
        let pgs = facts.streams[3]
        #expect(pgs.language == "eng" && pgs.title == nil && !pgs.isForced)

        let mp4 = try CatalogProbe().probe(library.appendingPathComponent("Movies/Plain (2021).mp4"))
        #expect(mp4.container == "mp4" && mp4.streams.map(\.kind) == [.video, .audio])
    }

    @Test func reportsAreReadTheWayFFprobeWritesThem() throws {
        let json = """
            {"streams":[
              {"index":0,"codec_name":"mjpeg","codec_type":"video","width":600,"height":600,"disposition":{"attached_pic":1}},
              {"index":1,"codec_name":"hevc","codec_type":"video","profile":"Main 10","level":153,"width":3840,"height":1600,
               "disposition":{"default":1,"attached_pic":0}},
              {"index":2,"codec_name":"eac3","codec_type":"audio","channels":6,"tags":{"LANGUAGE":"eng","title":"Commentary"},
               "disposition":{"comment":1}},
              {"index":3,"codec_name":"subrip","codec_type":"subtitle","tags":{"language":"eng","title":"English SDH\\u0007"},
               "disposition":{"hearing_impaired":1,"default":1}},
              {"index":4,"codec_name":"bin_data","codec_type":"data"},
              {"index":5,"codec_name":"ttf","codec_type":"attachment"}],
             "format":{"format_name":"matroska,webm","duration":"5400.5","bit_rate":"12000000"}}
            """
        let facts = try CatalogProbe.parse(Data(json.utf8), fileExtension: "MKV")
        #expect(facts.container == "mkv" && facts.videoCodec == "hevc" && facts.resolution == "3840x1600")
        #expect(facts.streams.map(\.index) == [1, 2, 3], "cover art, data and attachments are left out")
        #expect(facts.streams[0].isDefault && facts.streams[0].level == 153 && facts.streams[0].profile == "Main 10")
        #expect(facts.streams[1].language == "eng" && facts.streams[1].isCommentary && facts.streams[1].channels == 6)
        #expect(facts.streams[2].isHearingImpaired && facts.streams[2].title == "English SDH", "control characters are dropped")

        for (format, ext, container) in [("matroska,webm", "webm", "webm"), ("mov,mp4,m4a,3gp,3g2,mj2", "mov", "mov"),
                                         ("mov,mp4,m4a,3gp,3g2,mj2", "m4v", "m4v"), ("mov,mp4,m4a,3gp,3g2,mj2", "mp4", "mp4"),
                                         ("mpegts", "ts", "ts"), ("avi", "avi", "avi")] {
            let report = #"{"streams":[],"format":{"format_name":"\#(format)","duration":"1"}}"#
            #expect(try CatalogProbe.parse(Data(report.utf8), fileExtension: ext).container == container, "\(format) .\(ext)")
        }
        #expect(try CatalogProbe.parse(Data(#"{"streams":[]}"#.utf8), fileExtension: "mkv").container == "mkv")
    }

    @Test func theScanStoresStreamsAndTheRecordCarriesThem() async throws {
        let (root, state, library) = try await SubtitleLibrary.scanned()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let file = try #require(try await SubtitleLibrary.file(library, "Subtitled (2020).mkv"))
        #expect(file.container == "mkv" && file.contentType == "video/x-matroska")
        #expect(file.streams.map(\.codec) == ["h264", "aac", "subrip", "hdmv_pgs_subtitle"])
        #expect(file.width == 320 && file.height == 240 && file.resolutionLabel == "240p")
        #expect(try await library.mediaFile(id: file.id) == file)

        // A restart reads the same facts back from SQLite.
        let reopened = MediaLibrary(root: root, database: try LibraryDatabase(stateDirectory: state))
        #expect(try await reopened.mediaFile(id: file.id) == file)
        let plain = try #require(try await SubtitleLibrary.file(reopened, "Plain (2021).mp4"))
        #expect(plain.container == "mp4" && plain.streams.count == 2 && plain.contentType == "video/mp4")
    }

    @Test func rowsFromBeforeStreamsWereRecordedAreProbedAgain() async throws {
        let (root, _, library) = try await SubtitleLibrary.scanned()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let file = try #require(try await SubtitleLibrary.file(library, "Subtitled (2020).mkv"))
        // As a database migrated from v2 has them: no container, no streams, generation 0.
        try await library.database.queue.write { db in
            try db.execute(sql: "UPDATE media_files SET container = NULL, facts_version = 0 WHERE id = ?", arguments: [file.id])
            try db.execute(sql: "DELETE FROM media_streams WHERE file_id = ?", arguments: [file.id])
        }
        #expect(try await library.mediaFile(id: file.id)?.streams.isEmpty == true)
        let summary = try await library.rescan()
        #expect(summary.probed == 1)
        #expect(try await library.mediaFile(id: file.id) == file)
        #expect(try await library.rescan().probed == 0)
    }

    @Test func removingAFileRemovesItsStreams() async throws {
        let (root, _, library) = try await SubtitleLibrary.scanned()
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        try FileManager.default.removeItem(at: root.appendingPathComponent("Movies/Subtitled (2020).mkv"))
        try await library.rescan()
        let left = try await library.database.queue.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM media_streams") ?? -1
        }
        #expect(left == 2, "only Plain (2021).mp4's two streams remain")
    }
}
