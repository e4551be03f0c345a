import Foundation
import MydiaAPI
import MydiaClient
import MydiaDownloads
import MydiaServer
import MydiaTestSupport
import Testing

/// `mydia-tui download`, `downloads` and offline `play` as a user runs them: the real binary
/// against a real relay and server, then with the server stopped.
@Suite(.serialized) struct DownloadCommandTests {
    @Test func downloadListsMarksPlaysOfflineAndRemoves() async throws {
        let fixture = try await DownloadFixture.start()
        defer { Task { await fixture.close() } }
        let id = try await fixture.movieID()
        let config = fixture.store.directory.path
        let data = fixture.downloads.root.deletingLastPathComponent().deletingLastPathComponent().path
        let environment = ["XDG_DATA_HOME": data, "MYDIA_DISCOVERY": "off"]

        let download = try Programs.tui(["download", id], config: config, environment: environment)
        #expect(download.status == 0, "\(download.stderr)")
        let path = download.stdout.trimmingCharacters(in: .newlines)
        #expect(path.hasPrefix(fixture.downloads.root.path + "/") && !path.contains("\n"))
        #expect(try DownloadFixture.sha256(path) == DownloadFixture.sha256(fixture.serverFile))
        #expect(!download.stderr.contains("\u{1B}[2K"))  // no progress line without a terminal

        let listed = try Programs.tui(["downloads", "--json"], config: config, environment: environment)
        #expect(listed.status == 0, "\(listed.stderr)")
        let array = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(array.count == 1)
        let object = try #require(array.first)
        #expect(object["id"] as? String == id && object["title"] as? String == "Raw Download (2024)")
        #expect(object["path"] as? String == path && (object["path"] as? String)?.hasPrefix("/") == true)
        #expect((object["bytes"] as? NSNumber)?.int64Value == DownloadFixture.size(fixture.serverFile))
        #expect(object["complete"] as? Bool == true && object["kind"] as? String == "movie")
        #expect((object["etag"] as? String)?.hasPrefix("\"") == true && (object["subtitles"] as? [[String: Any]])?.count == 1)

        // "downloaded" shows in `ls` and `show`.
        let ls = try Programs.tui(["ls", "movies"], config: config, environment: environment)
        #expect(ls.stdout.split(separator: "\n").contains { $0.contains(id) && $0.contains("[downloaded]") }, "\(ls.stdout)")
        let lsJSON = try Programs.tui(["ls", "movies", "--json"], config: config, environment: environment)
        let movies = try #require(try JSONSerialization.jsonObject(with: Data(lsJSON.stdout.utf8)) as? [[String: Any]])
        #expect(movies.first { $0["id"] as? String == id }?["downloaded"] as? Bool == true)
        let show = try Programs.tui(["show", id], config: config, environment: environment)
        #expect(show.stdout.split(separator: "\n").first?.contains("[downloaded]") == true, "\(show.stdout)")

        // No server at all: play prints the local file's path and plays nothing from the network.
        await fixture.session.close()
        await fixture.stack.stop()
        await fixture.proxy.stop()
        let (process, out, err) = Programs.tuiProcess(["play", id, "--player", "none", "--print-url"], config: config, environment: environment)
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let reader = out.fileHandleForReading
        let line = try await withTimeout(.seconds(30)) { Programs.readFirstLine(reader).trimmingCharacters(in: .newlines) }
        #expect(line == path)
        process.terminate()
        process.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(stderr)")

        let removed = try Programs.tui(["downloads", "rm", id], config: config, environment: environment)
        #expect(removed.status == 0 && removed.stdout.contains("Removed"), "\(removed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path))
        let empty = try Programs.tui(["downloads", "--json"], config: config, environment: environment)
        #expect(empty.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
        let again = try Programs.tui(["downloads", "rm", id], config: config, environment: environment)
        #expect(again.status == 1 && again.stderr.contains("Nothing with the id"), "\(again.stderr)")
        await fixture.close()
    }
}
