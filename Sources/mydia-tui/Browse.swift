import ArgumentParser
import Foundation
import MydiaAPI
import MydiaClient
import MydiaPlayback

/// Opens the selected server's session for one command and closes it afterwards.
func withSession<T>(_ global: GlobalOptions, _ body: (ClientSession) async throws -> T) async throws -> T {
    let logger = global.logger()
    let store = try global.store(logger)
    let session = try await ClientSession.open(store: store, selection: global.server, logger: logger)
    do {
        let result = try await body(session)
        await session.close()
        return result
    } catch {
        await session.close()
        throw error
    }
}

/// Prints `value` as JSON (sorted keys, unescaped slashes) on one line per top-level call.
func printJSON(_ value: Any) {
    let text = JSONValue(any: value)?.encoded() ?? "null"
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

func item(_ id: String, _ title: String, _ year: Int?, _ type: String, _ extra: [String: Any] = [:]) -> [String: Any] {
    var d: [String: Any] = ["id": id, "title": title, "year": year.map { $0 as Any } ?? NSNull(), "type": type,
                            "downloaded": downloadedIDs.contains(id)]
    d.merge(extra) { $1 }
    return d
}

/// A file as JSON: its facts, one summary line and its subtitle tracks.
func fileItem(_ f: MediaFile) -> [String: Any] {
    let summary = [f.resolution, [f.codec, f.audioCodec].compactMap { $0 }.joined(separator: "/"), f.container]
        .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " · ")
    return [
        "id": f.id, "container": f.container.map { $0 as Any } ?? NSNull(), "duration": f.duration.map { $0 as Any } ?? NSNull(),
        "summary": summary,
        "subtitles": f.subtitles.map { t -> [String: Any] in
            ["track_id": t.trackId, "language": t.language, "title": t.title, "format": t.format, "forced": t.forced == true,
             "sdh": t.hearingImpaired == true, "deliverable": t.isDeliverable, "summary": t.summary]
        },
    ]
}

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List movies, shows, or what you are in the middle of watching.")

    enum What: String, ExpressibleByArgument, CaseIterable { case movies, shows, `continue` }

    @Argument(help: "movies, shows or continue") var what: What
    @Flag(help: "Print a JSON array (every page, in server order).") var json = false
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await runReporting {
            let items: [[String: Any]] = try await withSession(global) { session in
                switch what {
                case .movies:
                    return try await session.api.allMovies(pageSize: 100).collect().map { item($0.id, $0.title, $0.year, "movie") }
                case .shows:
                    return try await session.api.allTvShows(pageSize: 100).collect().map {
                        item($0.id, $0.title, $0.year, "show", ["season_count": $0.seasonCount.map { $0 as Any } ?? NSNull()])
                    }
                case .continue:
                    return try await session.api.continueWatching(first: 100).map { c in
                        item(c.id, c.title, nil, c.kind?.rawValue ?? c.type.lowercased(), [
                            "show_title": c.showTitle.map { $0 as Any } ?? NSNull(),
                            "position_seconds": c.progress.map { $0.positionSeconds as Any } ?? NSNull(),
                        ])
                    }
                }
            }
            if json { printJSON(items); return }
            if items.isEmpty { print("Nothing here yet."); return }
            for i in items {
                let year = (i["year"] as? Int).map { " (\($0))" } ?? ""
                print("\(i["title"] ?? "")\(year)    \(i["id"] ?? "")" + (i["downloaded"] as? Bool == true ? "    [downloaded]" : ""))
            }
        }
    }
}

struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Details of a movie or show; with --season, that season's episodes.")

    @Argument(help: "A movie or show id (from `ls`).") var id: String
    @Option(help: "Season number of a show.") var season: Int?
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await runReporting {
            let result: [String: Any] = try await withSession(global) { session in
                if let movie = try await session.api.movie(id: id) {
                    return item(movie.id, movie.title, movie.year, "movie", [
                        "overview": movie.overview.map { $0 as Any } ?? NSNull(), "runtime": movie.runtime.map { $0 as Any } ?? NSNull(),
                        "files": movie.files.map(fileItem),
                    ])
                }
                guard let show = try await session.api.tvShow(id: id) else {
                    throw CommandFailure(.failure, "No movie or show has the id \(id) — list them with `mydia-tui ls movies` or `ls shows`.")
                }
                var d = item(show.id, show.title, show.year, "show", [
                    "overview": show.overview.map { $0 as Any } ?? NSNull(), "season_count": show.seasonCount.map { $0 as Any } ?? NSNull(),
                ])
                if let season {
                    d["episodes"] = try await session.api.seasonEpisodes(showId: show.id, seasonNumber: season).map { e in
                        item(e.id, e.displayTitle, nil, "episode", ["season": e.seasonNumber, "episode": e.episodeNumber])
                    }
                }
                return d
            }
            if json { printJSON(result); return }
            let year = (result["year"] as? Int).map { " (\($0))" } ?? ""
            print("\(result["title"] ?? "")\(year)" + (result["downloaded"] as? Bool == true ? "    [downloaded]" : ""))
            if let overview = result["overview"] as? String { print(overview) }
            for f in (result["files"] as? [[String: Any]]) ?? [] {
                print("  file \(f["id"] ?? "")  \(f["summary"] ?? "")")
                for t in (f["subtitles"] as? [[String: Any]]) ?? [] { print("    subtitles \(t["track_id"] ?? ""): \(t["summary"] ?? "")") }
            }
            for e in (result["episodes"] as? [[String: Any]]) ?? [] {
                print(String(format: "  S%02dE%02d  ", (e["season"] as? Int) ?? 0, (e["episode"] as? Int) ?? 0) + "\(e["title"] ?? "")    \(e["id"] ?? "")" + (e["downloaded"] as? Bool == true ? "    [downloaded]" : ""))
            }
        }
    }
}

struct Search: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Search the whole library.")

    @Argument(help: "What to look for.") var query: String
    @Flag(help: "Print a JSON array.") var json = false
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await runReporting {
            let result = try await withSession(global) { try await $0.api.search(query, first: 100) }
            let items = result.sections.flatMap { s in s.results.map { item($0.id, $0.title, $0.year, $0.kind?.rawValue ?? $0.type.lowercased()) } }
            if json { printJSON(items); return }
            if items.isEmpty { print("No matches for \"\(query)\"."); return }
            for i in items { print("\(i["type"] ?? "")  \(i["title"] ?? "")    \(i["id"] ?? "")") }
        }
    }
}

struct Devices: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Devices paired with the server.")
    @Flag(help: "Print a JSON array.") var json = false
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await runReporting {
            let devices = try await withSession(global) { try await $0.api.devices() }
            let items: [[String: Any]] = devices.map {
                ["id": $0.id, "name": $0.deviceName, "platform": $0.platform, "last_seen_at": $0.lastSeenAt.map { $0 as Any } ?? NSNull(),
                 "revoked": $0.isRevoked, "online": $0.online.map { $0 as Any } ?? NSNull()]
            }
            if json { printJSON(items); return }
            for d in items {
                let seen = (d["last_seen_at"] as? String).map { "last seen \($0)" } ?? "never seen"
                let revoked = d["revoked"] as? Bool == true ? "  revoked" : ""
                print("\(d["id"] ?? "")  \(d["name"] ?? "")  [\(d["platform"] ?? "")]  \(seen)\(revoked)")
            }
        }
    }
}

struct Unpair: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Forget a paired or logged-in server on this device (`logout` does the same).", aliases: ["logout"])
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await runReporting {
            let logger = global.logger()
            let store = try global.store(logger)
            let server = try await store.removeServer(global.server)
            print("Forgot \(server.name). (The server still lists this device until its owner revokes it.)")
        }
    }
}
