import Foundation
import MydiaLibrary
import Testing

/// The catalog's ffprobe run (a `ChildProcess`): its report read, and each way it can fail told apart.
@Suite struct CatalogProbeTests {
    @Test func probesARealFile() throws {
        let (library, _) = try SampleLibrary.make()
        defer { try? FileManager.default.removeItem(at: library.deletingLastPathComponent()) }
        let facts = try CatalogProbe().probe(library.appendingPathComponent("Movies/Big Test Pattern (2019).mp4"))
        #expect(facts.resolution == "320x240" && facts.videoCodec == "h264" && facts.audioCodec == "aac")
        #expect(abs(facts.duration - 2) < 0.3 && (facts.bitrate ?? 0) > 0)
    }

    @Test func aFileThatIsNotMediaFailsWithFFprobesWords() throws {
        let folder = try SampleLibrary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = folder.appendingPathComponent("notes.mkv")
        try Data("not a film".utf8).write(to: text)
        let error = try #require(throws: CatalogProbe.Error.self) { try CatalogProbe().probe(text) }
        guard case .failed(let status, let message) = error else {
            Issue.record("\(error)")
            return
        }
        #expect(status != 0)
        #expect(message.contains("notes.mkv"), "\(message)")
    }

    @Test func aMissingProbeIsALaunchFailure() {
        let probe = CatalogProbe(executable: "/nonexistent/ffprobe")
        let error = #expect(throws: CatalogProbe.Error.self) { try probe.probe(URL(fileURLWithPath: "/dev/null")) }
        if case .launchFailed? = error {} else { Issue.record("\(String(describing: error))") }
    }
}
