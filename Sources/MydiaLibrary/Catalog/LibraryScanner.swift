public import Foundation
public import Logging
import MydiaWire

/// One video file found in the library folder.
public struct ScannedFile: Sendable, Equatable {
    /// Path below the library root, `/`-separated, NFC.
    public var relativePath: String
    /// Where it is on disk.
    public var url: URL
    /// Bytes.
    public var size: Int64
    /// Modification time (seconds since 1970), used to skip re-probing unchanged files.
    public var modifiedAt: Double
}

/// A movie found under `Movies/`.
public struct ScannedMovie: Sendable, Equatable {
    /// Stable id derived from the path below the library.
    public var id: String
    /// From the file name (or the sidecar's `title`).
    public var title: String
    /// From `(Year)` in the file name (or the sidecar).
    public var year: Int?
    /// From the sidecar.
    public var overview: String?
    /// From the sidecar.
    public var genres: [String]
    /// The video file.
    public var file: ScannedFile
}

/// A show folder under `Shows/`.
public struct ScannedShow: Sendable, Equatable {
    /// Stable id derived from the folder name.
    public var id: String
    /// From the folder name (or `show.json`).
    public var title: String
    /// From `(Year)` in the folder name (or `show.json`).
    public var year: Int?
    /// From `show.json`.
    public var overview: String?
    /// From `show.json`.
    public var status: String?
    /// In season/episode order.
    public var episodes: [ScannedEpisode]
}

/// An episode file inside a show's season folder.
public struct ScannedEpisode: Sendable, Equatable {
    /// Stable id derived from show folder, season and episode number.
    public var id: String
    /// From the `Season N` folder.
    public var seasonNumber: Int
    /// From `SxxEyy`.
    public var episodeNumber: Int
    /// From the file name after `SxxEyy - ` (or the sidecar); `Episode N` otherwise.
    public var title: String
    /// From the sidecar.
    public var overview: String?
    /// From the sidecar.
    public var airDate: String?
    /// The video file.
    public var file: ScannedFile
}

/// Everything a scan found, before probing.
public struct ScannedLibrary: Sendable, Equatable {
    /// Under `Movies/`.
    public var movies: [ScannedMovie] = []
    /// Under `Shows/`.
    public var shows: [ScannedShow] = []
}

/// Walks a library folder laid out as `Movies/Title (Year).ext` and
/// `Shows/Show/Season N/Show - SxxEyy - Title.ext`, reading optional JSON sidecars
/// (`Title (Year).json`, `show.json`, `<episode stem>.json`). Pure file-system work: no probing.
public struct LibraryScanner: Sendable {
    /// The library folder.
    public var root: URL
    private let logger: Logger

    /// - Parameters:
    ///   - root: the folder that holds `Movies/` and `Shows/` (either may be missing).
    ///   - logger: where skipped files and unreadable sidecars are reported.
    public init(root: URL, logger: Logger = Logger(label: "mydia.library")) {
        self.root = root.standardizedFileURL
        self.logger = logger
    }

    /// Reads the folder.
    public func scan() -> ScannedLibrary {
        var library = ScannedLibrary()
        library.movies = scanMovies()
        library.shows = scanShows()
        return library
    }

    private func scanMovies() -> [ScannedMovie] {
        var movies: [ScannedMovie] = []
        for url in contents(of: root.appendingPathComponent("Movies")) where isVideo(url) {
            guard let file = scannedFile(url, relative: ["Movies", url.lastPathComponent]) else { continue }
            let stem = url.deletingPathExtension().lastPathComponent
            var (title, year) = LibraryNames.titleAndYear(stem)
            let sidecar: MovieSidecar? = readSidecar(url.deletingPathExtension().appendingPathExtension("json"))
            if let t = sidecar?.title.map(LibraryNames.clean), !t.isEmpty { title = t }
            if let y = sidecar?.year { year = y }
            movies.append(ScannedMovie(
                id: LibraryNames.movieID(relativeStem: "Movies/" + LibraryNames.clean(stem)),
                title: title, year: year, overview: sidecar?.overview.map(DisplayText.sanitized),
                genres: (sidecar?.genres ?? []).map(LibraryNames.clean).filter { !$0.isEmpty },
                file: file))
        }
        return movies
    }

    private func scanShows() -> [ScannedShow] {
        var shows: [ScannedShow] = []
        for showURL in contents(of: root.appendingPathComponent("Shows")) where isDirectory(showURL) {
            let folder = LibraryNames.clean(showURL.lastPathComponent)
            var (title, year) = LibraryNames.titleAndYear(showURL.lastPathComponent)
            let sidecar: ShowSidecar? = readSidecar(showURL.appendingPathComponent("show.json"))
            if let t = sidecar?.title.map(LibraryNames.clean), !t.isEmpty { title = t }
            if let y = sidecar?.year { year = y }
            var episodes: [ScannedEpisode] = []
            var seen = Set<String>()
            for seasonURL in contents(of: showURL) where isDirectory(seasonURL) {
                guard let season = LibraryNames.seasonNumber(folder: seasonURL.lastPathComponent) else {
                    logger.debug("skipping a folder that is not a season", metadata: ["path": "\(seasonURL.path)"])
                    continue
                }
                for url in contents(of: seasonURL) where isVideo(url) {
                    let stem = url.deletingPathExtension().lastPathComponent
                    guard let parsed = LibraryNames.episode(stem: stem) else {
                        logger.notice("skipping an episode file without SxxEyy", metadata: ["path": "\(url.path)"])
                        continue
                    }
                    let id = LibraryNames.episodeID(showFolder: folder, season: season, episode: parsed.episode)
                    // Two files for one episode: the first in name order wins.
                    guard seen.insert(id).inserted else { continue }
                    let relative = ["Shows", showURL.lastPathComponent, seasonURL.lastPathComponent, url.lastPathComponent]
                    guard let file = scannedFile(url, relative: relative) else { continue }
                    let epSidecar: EpisodeSidecar? = readSidecar(url.deletingPathExtension().appendingPathExtension("json"))
                    var epTitle = parsed.title ?? "Episode \(parsed.episode)"
                    if let t = epSidecar?.title.map(LibraryNames.clean), !t.isEmpty { epTitle = t }
                    episodes.append(ScannedEpisode(
                        id: id, seasonNumber: season, episodeNumber: parsed.episode, title: epTitle,
                        overview: epSidecar?.overview.map(DisplayText.sanitized),
                        airDate: epSidecar?.airDate.map(DisplayText.sanitized), file: file))
                }
            }
            episodes.sort { ($0.seasonNumber, $0.episodeNumber) < ($1.seasonNumber, $1.episodeNumber) }
            shows.append(ScannedShow(
                id: LibraryNames.showID(folder: folder), title: title, year: year,
                overview: sidecar?.overview.map(DisplayText.sanitized),
                status: sidecar?.status.map(LibraryNames.clean), episodes: episodes))
        }
        return shows
    }

    // MARK: File system helpers

    /// Entries of a folder sorted by name; hidden files skipped; empty when it does not exist.
    private func contents(of folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { folder.appendingPathComponent($0) }
    }

    private func isDirectory(_ url: URL) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
    }

    private func isVideo(_ url: URL) -> Bool {
        LibraryNames.videoExtensions.contains(url.pathExtension.lowercased()) && !isDirectory(url)
    }

    private func scannedFile(_ url: URL, relative: [String]) -> ScannedFile? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path) else {
            logger.notice("skipping an unreadable file", metadata: ["path": "\(url.path)"])
            return nil
        }
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let path = relative.map { $0.precomposedStringWithCanonicalMapping }.joined(separator: "/")
        return ScannedFile(relativePath: path, url: url, size: size, modifiedAt: modified)
    }

    private func readSidecar<T: Decodable>(_ url: URL) -> T? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            logger.warning("ignoring an unreadable sidecar", metadata: ["path": "\(url.path)"])
            return nil
        }
    }
}

/// `Title (Year).json` next to a movie.
struct MovieSidecar: Decodable {
    var title: String?
    var year: Int?
    var overview: String?
    var genres: [String]?
}

/// `show.json` in a show folder.
struct ShowSidecar: Decodable {
    var title: String?
    var year: Int?
    var overview: String?
    var status: String?
}

/// `<episode stem>.json` next to an episode.
struct EpisodeSidecar: Decodable {
    var title: String?
    var overview: String?
    var airDate: String?
}
