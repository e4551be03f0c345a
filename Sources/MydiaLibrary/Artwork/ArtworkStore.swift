import Crypto
public import Foundation
public import Logging
import MydiaSystem

/// Posters for `GET /api/v1/artwork/{movie|show}/{id}/poster` (the URL `Artwork.posterUrl`
/// names): `<file name>-poster.jpg` beside the item's file, else a `poster.jpg` / `folder.jpg`
/// (or `.png`) beside it or in a folder above it up to the library root (a show's folder), else a frame ffmpeg takes at 10 % of the file's
/// runtime, kept as JPEG in a cache folder of the state directory (0700, files 0600). A cache
/// entry is named after the file's id, size and modification time, so a replaced file gets a new
/// frame. ffmpeg runs with an argument array, `-protocol_whitelist file`, a timeout, and at most
/// ``Configuration/maxConcurrentGrabs`` at once.
public actor ArtworkStore {
    /// Folders, tools and limits.
    public struct Configuration: Sendable {
        /// Where grabbed frames are kept. Created (0700) if missing.
        public var cacheDirectory: URL
        /// The ffmpeg binary.
        public var ffmpeg: URL
        /// Longest ffmpeg run.
        public var timeout: Duration = .seconds(30)
        /// Largest sidecar poster served.
        public var maxSidecarBytes = 20 << 20
        /// ffmpeg runs at once.
        public var maxConcurrentGrabs = 2
        /// Height of a grabbed frame in pixels.
        public var frameHeight = 480

        /// Defaults, caching under `cacheDirectory`.
        public init(cacheDirectory: URL, ffmpeg: URL) {
            self.cacheDirectory = cacheDirectory
            self.ffmpeg = ffmpeg
        }
    }

    /// Why there is no poster.
    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        /// No such movie or show, or it has no file.
        case notFound
        /// ffmpeg did not produce a frame (its last log line).
        case grabFailed(String)
        /// ffmpeg did not finish in time.
        case timedOut
        /// The cache folder cannot be written.
        case storageUnavailable(String)

        /// One plain sentence.
        public var description: String {
            switch self {
            case .notFound: "There is no such item, or it has no file to take a poster from."
            case .grabFailed(let why): "ffmpeg could not take a frame for the poster (\(why))."
            case .timedOut: "Taking a frame for the poster took too long — try again later."
            case .storageUnavailable(let why): "The poster cache cannot be written (\(why))."
            }
        }
    }

    /// A poster: its bytes and content type.
    public struct Poster: Sendable, Equatable {
        public var bytes: [UInt8]
        public var contentType: String
        /// Where it came from: a sidecar file, or a frame of the media file.
        public var fromSidecar: Bool
    }

    /// Sidecar names looked for, in order.
    public static let sidecarNames = ["poster.jpg", "poster.jpeg", "poster.png", "folder.jpg", "folder.jpeg", "folder.png"]

    private let configuration: Configuration
    private let library: MediaLibrary
    private let logger: Logger
    private var running = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    /// Grabs in flight by cache file, so two requests for one item share one ffmpeg run.
    private var grabs: [String: Task<[UInt8], any Swift.Error>] = [:]

    /// A store over `library`.
    public init(configuration: Configuration, library: MediaLibrary, logger: Logger) {
        self.configuration = configuration
        self.library = library
        self.logger = logger
    }

    /// The URL the GraphQL `Artwork.posterUrl` gives for an item (instance-relative).
    public static func posterPath(kind: Kind, id: String) -> String {
        let safe = id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_."))) ?? ""
        return "/api/v1/artwork/\(kind.rawValue)/\(safe)/poster"
    }

    /// Items with posters.
    public enum Kind: String, Sendable {
        case movie, show
    }

    /// The poster of a movie or show.
    public func poster(kind: Kind, id: String) async throws(Error) -> Poster {
        let file: MediaFileRecord?
        do {
            switch kind {
            case .movie:
                guard try await library.movie(id: id) != nil else { throw Error.notFound }
                file = try await library.files(itemID: id).first
            case .show:
                guard try await library.show(id: id) != nil else { throw Error.notFound }
                let episodes = try await library.episodes(showID: id)
                var first: MediaFileRecord?
                for e in episodes where first == nil { first = try await library.files(itemID: e.id).first }
                file = first
            }
        } catch let error as Error {
            throw error
        } catch {
            throw .notFound
        }
        guard let file else { throw .notFound }
        if let sidecar = sidecar(for: file) { return sidecar }
        return Poster(bytes: try await frame(of: file), contentType: "image/jpeg", fromSidecar: false)
    }

    /// A sidecar poster in the file's folder or a folder above it, below the library root.
    func sidecar(for file: MediaFileRecord) -> Poster? {
        let depth = file.relativePath.split(separator: "/").count - 1  // folders between root and file
        var folder = file.url.deletingLastPathComponent()
        let stem = file.url.deletingPathExtension().lastPathComponent
        for level in 0..<max(depth, 1) {  // never the library root itself
            // Beside the file, its own `<name>-poster.jpg` first (movies share a folder).
            let names = level == 0 ? ["\(stem)-poster.jpg", "\(stem)-poster.png"] + Self.sidecarNames : Self.sidecarNames
            for name in names {
                let candidate = folder.appendingPathComponent(name)
                var info = stat()
                // A regular file only (not a symlink out of the library), within the size limit.
                guard lstat(candidate.path, &info) == 0, info.st_mode & S_IFMT == S_IFREG,
                      Int(info.st_size) <= configuration.maxSidecarBytes,
                      let data = FileManager.default.contents(atPath: candidate.path) else { continue }
                return Poster(bytes: Array(data), contentType: name.hasSuffix(".png") ? "image/png" : "image/jpeg", fromSidecar: true)
            }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }

    /// The cached frame of `file`, grabbed now if missing.
    func frame(of file: MediaFileRecord) async throws(Error) -> [UInt8] {
        var info = stat()
        guard stat(file.url.path, &info) == 0 else { throw .notFound }
        let tag = "\(file.id)|\(info.st_size)|\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        let name = SHA256.hash(data: Data(tag.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined() + ".jpg"
        let path = configuration.cacheDirectory.appendingPathComponent(name).path
        if let cached = FileManager.default.contents(atPath: path), !cached.isEmpty { return Array(cached) }
        if let running = grabs[name] {
            do { return try await running.value } catch { throw (error as? Error) ?? .grabFailed("\(error)") }
        }
        let at = max(0, file.duration * 0.1)
        let task = Task { () throws -> [UInt8] in try await self.grabInTurn(file.url, at: at, into: path) }
        grabs[name] = task
        defer { grabs[name] = nil }
        do { return try await task.value } catch { throw (error as? Error) ?? .grabFailed("\(error)") }
    }

    private func grabInTurn(_ source: URL, at seconds: Double, into path: String) async throws(Error) -> [UInt8] {
        await acquire()
        defer { release() }
        return try await grab(source, at: seconds, into: path)
    }

    private func acquire() async {
        if running < configuration.maxConcurrentGrabs {
            running += 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty { running -= 1 } else { waiters.removeFirst().resume() }
    }

    private nonisolated func grab(_ source: URL, at seconds: Double, into path: String) async throws(Error) -> [UInt8] {
        do { try PrivateFile.ensureDirectory(configuration.cacheDirectory.path, logger: logger) } catch {
            throw .storageUnavailable(error.description)
        }
        let temp = path + ".grab-\(UUID().uuidString).jpg"
        defer { unlink(temp) }
        let arguments = [
            "-nostdin", "-hide_banner", "-loglevel", "error", "-protocol_whitelist", "file",
            "-ss", String(format: "%.3f", seconds), "-i", source.path,
            "-map", "0:v:0", "-frames:v", "1", "-vf", "scale=-2:\(configuration.frameHeight)",
            "-f", "image2", "-c:v", "mjpeg", "-q:v", "4", "-y", temp,
        ]
        // ffmpeg's complaints go to a file (a pipe read only after the exit could fill and stall it).
        let logPath = temp + ".log"
        defer { unlink(logPath) }
        let logFD = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard logFD >= 0 else { throw .storageUnavailable(String(cString: strerror(errno))) }
        let child: ChildProcess
        do {
            child = try ChildProcess(executable: configuration.ffmpeg.path, arguments: arguments,
                                     environment: ["PATH": "/usr/bin:/bin"], stdin: .null, stdout: .null, stderr: .descriptor(logFD))
        } catch {
            close(logFD)
            throw .grabFailed(error.description)
        }
        close(logFD)
        let status = await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await child.waitForExit() }
            group.addTask { [timeout = configuration.timeout] in
                // The group waits for both: on time-out ffmpeg is killed, so its wait ends too.
                do { try await Task.sleep(for: timeout) } catch { return -1 }
                child.send(SIGKILL)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let status else { throw .timedOut }
        let log = String(decoding: (FileManager.default.contents(atPath: logPath) ?? Data()).suffix(2000), as: UTF8.self)
        guard status == 0, let data = FileManager.default.contents(atPath: temp), !data.isEmpty else {
            let last = log.split(separator: "\n").last.map(String.init) ?? "exit status \(status)"
            logger.notice("poster frame not taken", metadata: ["status": "\(status)", "ffmpeg": "\(last)"])
            throw .grabFailed(last)
        }
        do { try PrivateFile.writeAtomically(Array(data), to: path) } catch {
            throw .storageUnavailable(error.description)
        }
        return Array(data)
    }
}
