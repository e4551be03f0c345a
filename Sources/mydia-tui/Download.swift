import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import MydiaAPI
import MydiaClient
import MydiaDownloads
import MydiaPlayback

/// `mydia-tui download ID`: the item's file for offline playback (issue 20).
struct Download: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Download a movie or episode for offline playback; `play` then plays it from disk.",
        discussion: """
            The file comes as it is (direct play) over whichever path is up, into a hidden partial folder under \
            $XDG_DATA_HOME/mydia-tui/downloads (default ~/.local/share/…), and moves into place with its subtitles \
            when complete. An interrupted download resumes where it stopped when you run the command again, unless \
            the file changed on the server. The file's path is the only line on stdout; on a terminal a progress \
            line (bytes, rate, time left) is drawn on stderr.
            """)

    /// `--quality`: only the original file for now (no transcoded downloads).
    enum Quality: String, ExpressibleByArgument, CaseIterable { case original }

    @Argument(help: "The movie or episode id (from `mydia-tui ls`, `show` or `search`).") var id: String
    @Option(help: "original: the file as the server keeps it.") var quality: Quality = .original
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await runReporting {
            let logger = global.logger()
            let store = DownloadStore(logger: logger)
            if let done = store.record(id) {
                FileHandle.standardOutput.write(Data((done.path + "\n").utf8))
                return
            }
            let interrupted = SignalWaiter()
            let record: DownloadRecord = try await withSession(global) { session in
                await ProgressBacklog(directory: store.directory, logger: logger).deliver(to: APIProgressSink(api: session.api))
                let engine = DownloadEngine(store: store, api: session.api, manager: session.manager, logger: logger)
                let line = isatty(STDERR_FILENO) == 1 ? ProgressLine() : nil
                let drawer = Task { for await progress in engine.updates { line?.draw(progress) } }
                let download = Task { try await engine.download(itemID: id) }
                let signals = Task {
                    await interrupted.wait()
                    download.cancel()
                }
                defer { signals.cancel() }
                let result = await download.result
                await engine.close()
                await drawer.value
                line?.finish()
                do {
                    return try result.get()
                } catch is CancellationError {
                    throw CommandFailure(.failure, "The download was stopped; what arrived is kept — run the same command again to resume it.")
                } catch let error as DownloadEngine.Error {
                    throw CommandFailure(.failure, error.description)
                }
            }
            FileHandle.standardOutput.write(Data((record.path + "\n").utf8))
        }
    }
}

/// `downloads`: what is downloaded (or on its way), and `downloads rm ID`.
struct Downloads: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List downloads, or remove one (`downloads rm ID`).",
        subcommands: [DownloadsList.self, DownloadsRemove.self], defaultSubcommand: DownloadsList.self)
}

struct DownloadsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List downloads, complete ones first.")

    @Flag(help: "Print a JSON array: id, title, path, bytes, complete, and the item's facts.") var json = false
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await runReporting {
            let records = DownloadStore(logger: global.logger()).list()
            if json {
                printJSON(records.map(Self.object))
                return
            }
            if records.isEmpty { print("Nothing downloaded yet — `mydia-tui download ID` fetches a movie or episode."); return }
            for record in records {
                let state = record.complete ? ProgressLine.size(record.bytes)
                    : "partial \(ProgressLine.size(record.bytes))" + (record.totalBytes.map { " of " + ProgressLine.size($0) } ?? "")
                print("\(record.title)    \(record.id)    \(state)    \(record.path)")
            }
        }
    }

    static func object(_ record: DownloadRecord) -> [String: Any] {
        func value(_ v: Any?) -> Any { v ?? NSNull() }
        return [
            "id": record.id, "title": record.title, "path": record.path, "bytes": record.bytes, "complete": record.complete,
            "kind": record.kind.rawValue, "file_id": record.fileId, "etag": value(record.etag), "total_bytes": value(record.totalBytes),
            "duration": value(record.duration), "show_id": value(record.showId), "show_title": value(record.showTitle),
            "season": value(record.season), "episode": value(record.episode), "completed_at": value(record.completedAt),
            "subtitles": record.subtitles.map { ["track_id": $0.trackId, "language": $0.language, "title": $0.title, "file": $0.fileName] },
        ]
    }
}

struct DownloadsRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a download (complete or partial) from this device.")

    @Argument(help: "The item id, as `downloads` lists it.") var id: String
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await runReporting {
            do {
                let record = try DownloadStore(logger: global.logger()).remove(id)
                print("Removed “\(record.title)” (\(ProgressLine.size(record.bytes))).")
            } catch {
                throw CommandFailure(.failure, String(describing: error))
            }
        }
    }
}

/// The ids downloaded on this device, read once per command (markers in `ls`, `show`, `search`).
let downloadedIDs: Set<String> = DownloadStore().downloadedIDs()

/// One progress line on stderr, redrawn in place: `Title  43%  512 MB / 1.2 GB  38 MB/s  0:19 left`.
final class ProgressLine: Sendable {
    func draw(_ progress: DownloadProgress) {
        var text: String
        switch progress.phase {
        case .preparing: text = "\(progress.title): preparing…"
        case .restarted: text = "\(progress.title): the file changed on the server — starting over"
        case .subtitles: text = "\(progress.title): subtitles…"
        case .complete: text = "\(progress.title): done, \(Self.size(progress.bytes))"
        case .failed: return
        case .downloading:
            text = progress.title
            if let fraction = progress.fraction { text += String(format: "  %3.0f%%", fraction * 100) }
            text += "  " + Self.size(progress.bytes) + (progress.total.map { " / " + Self.size($0) } ?? "")
            text += "  " + Self.size(Int64(progress.bytesPerSecond)) + "/s"
            if let left = progress.secondsLeft, left.isFinite, left < 360_000 {
                let seconds = Int(left.rounded())
                text += String(format: "  %d:%02d left", seconds / 60, seconds % 60)
            }
        }
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + text).utf8))
    }

    func finish() {
        FileHandle.standardError.write(Data("\n".utf8))
    }

    /// `1.2 GB`, `340 MB`, `12 kB`.
    static func size(_ bytes: Int64) -> String {
        let value = Double(max(0, bytes))
        if value >= 1e9 { return String(format: "%.1f GB", value / 1e9) }
        if value >= 1e6 { return String(format: "%.1f MB", value / 1e6) }
        return String(format: "%.0f kB", value / 1e3)
    }
}
