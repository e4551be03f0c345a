public import Foundation
public import Logging
import MydiaCrypto

#if canImport(Glibc)
import Glibc
#endif

/// Turns subtitle tracks into WebVTT for `/api/player/v1/subtitles/file/{fileId}/{trackId}`
/// (PROTOCOL.md §14.2.6), and keeps each result in a cache folder (0700, files 0600).
///
/// - A sidecar `.vtt` is served as it is, once it has been checked to be WebVTT (UTF-8, starts
///   with `WEBVTT`) and not larger than ``Configuration/maxInputBytes``.
/// - Other text sidecars (`.srt`, `.ass`, …) and text streams inside a media file go through
///   ffmpeg (`-map 0:{index} -f webvtt`), run with an argument array, `-protocol_whitelist
///   file,pipe` and a demuxer allowlist, within ``Configuration/timeout`` and
///   ``Configuration/maxOutputBytes``; at most ``Configuration/maxConcurrentConversions`` run at once
///   and two requests for one track share one run.
/// - The cache entry is named after a hash of (file id, track id, the source's size and
///   modification time), so an edited source is converted again.
public actor SubtitleConverter {
    /// Folders and limits.
    public struct Configuration: Sendable {
        /// Where converted tracks are kept. Created (0700) if missing.
        public var cacheDirectory: URL
        /// Largest WebVTT answer, in bytes.
        public var maxOutputBytes: Int = 8 << 20
        /// Largest sidecar `.vtt` served as it is, in bytes.
        public var maxInputBytes: Int = 8 << 20
        /// Longest ffmpeg run. Reading one stream of a large file means reading the whole file.
        public var timeout: Duration = .seconds(120)
        /// ffmpeg runs at once; more requests wait their turn.
        public var maxConcurrentConversions: Int = 2

        /// Defaults, caching under `cacheDirectory`.
        public init(cacheDirectory: URL) { self.cacheDirectory = cacheDirectory }
    }

    /// Where a track's cues are.
    public enum Source: Sendable, Equatable {
        /// A WebVTT file, served as it is after validation.
        case webVTTFile(URL)
        /// A text subtitle file ffmpeg reads (`.srt`, `.ass`, `.ssa`, `.smi`, `.sub`).
        case textFile(URL)
        /// Stream `index` of a media file.
        case stream(URL, index: Int)

        var url: URL {
            switch self {
            case .webVTTFile(let url), .textFile(let url), .stream(let url, _): url
            }
        }
    }

    /// Why a track could not be delivered.
    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        /// The source file does not exist (any more).
        case sourceMissing
        /// A sidecar `.vtt` is not WebVTT.
        case invalidWebVTT
        /// The source or the result is over the size limit.
        case tooLarge
        /// ffmpeg did not finish in time.
        case timedOut
        /// ffmpeg could not read or convert the track (its last log line).
        case conversionFailed(String)
        /// ffmpeg could not be started.
        case ffmpegLaunchFailed(String)
        /// The cache folder cannot be written.
        case storageUnavailable(String)

        /// One plain sentence.
        public var description: String {
            switch self {
            case .sourceMissing: "The subtitle's source file does not exist — rescan the library."
            case .invalidWebVTT: "The subtitle file is not valid WebVTT — fix or remove it."
            case .tooLarge: "The subtitle track is larger than this server delivers."
            case .timedOut: "Converting the subtitle track took too long — try again later."
            case .conversionFailed(let why): "ffmpeg could not convert the subtitle track (\(why))."
            case .ffmpegLaunchFailed(let why): "ffmpeg could not be started (\(why)) — check the ffmpeg installation."
            case .storageUnavailable(let path): "The subtitle cache \(path) cannot be written — check its permissions and free space."
            }
        }
    }

    /// Demuxers ffmpeg may use for a text sidecar.
    static let sidecarFormats = "srt,ass,webvtt,sami,microdvd,subviewer,subviewer1,mpl2,vplayer,pjs,realtext,jacosub,stl"
    /// Demuxers ffmpeg may use for a media file (no playlists, no concat lists).
    static let mediaFormats = "matroska,webm,mov,mp4,avi,mpegts,mpeg,flv,asf,ogg,nut"

    let configuration: Configuration
    let tools: FFmpegTools
    let logger: Logger
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var inflight: [String: Task<[UInt8], any Swift.Error>] = [:]

    /// - Parameters:
    ///   - configuration: cache folder and limits.
    ///   - tools: the ffmpeg to run.
    ///   - logger: receives failures (file paths and ffmpeg's last line, never cue text).
    public init(configuration: Configuration, tools: FFmpegTools, logger: Logger = Logger(label: "mydia.subtitles")) {
        self.configuration = configuration
        self.tools = tools
        self.logger = logger
    }

    /// The track as WebVTT, from the cache or made now.
    /// - Parameters:
    ///   - source: where its cues are.
    ///   - fileID: the media file's id (part of the cache key).
    ///   - trackID: the track's id (part of the cache key).
    /// - Throws: ``Error``.
    public func webVTT(for source: Source, fileID: String, trackID: String) async throws -> [UInt8] {
        guard let version = Self.version(of: source.url) else { throw Error.sourceMissing }
        let key = Encoding.hex(SHA256.hash(Array("\(fileID)\u{0}\(trackID)\u{0}\(version)".utf8)).prefix(20))
        let final = configuration.cacheDirectory.appendingPathComponent(key + ".vtt")
        if let cached = FileManager.default.contents(atPath: final.path), cached.count <= configuration.maxOutputBytes {
            return Array(cached)
        }
        if let running = inflight[key] { return try await running.value }
        let task = Task { try await self.produce(source, into: final) }
        inflight[key] = task
        defer { inflight[key] = nil }
        return try await task.value
    }

    /// Size and modification time of a regular file, as a cache-key part; `nil` if it is not one.
    private static func version(of url: URL) -> String? {
        var st = stat()
        guard stat(url.path, &st) == 0, (st.st_mode & mode_t(S_IFMT)) == mode_t(S_IFREG) else { return nil }
        return "\(st.st_size)-\(st.st_mtim.tv_sec)-\(st.st_mtim.tv_nsec)"
    }

    private func produce(_ source: Source, into final: URL) async throws -> [UInt8] {
        do {
            // The folder and a missing parent (`<state>/cache`) are private; an existing parent is left as it is.
            for folder in [configuration.cacheDirectory.deletingLastPathComponent(), configuration.cacheDirectory]
            where !FileManager.default.fileExists(atPath: folder.path) {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            }
        } catch {
            throw Error.storageUnavailable(configuration.cacheDirectory.path)
        }
        let bytes: [UInt8]
        switch source {
        case .webVTTFile(let url):
            bytes = try readWebVTT(url)
        case .textFile(let url):
            bytes = try await convert(["-format_whitelist", Self.sidecarFormats, "-i", url.path, "-map", "0:s:0"])
        case .stream(let url, let index):
            bytes = try await convert(["-format_whitelist", Self.mediaFormats, "-i", url.path, "-map", "0:\(index)"])
        }
        store(bytes, at: final)
        return bytes
    }

    private func readWebVTT(_ url: URL) throws -> [UInt8] {
        guard let handle = try? FileHandle(forReadingFrom: url) else { throw Error.sourceMissing }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: configuration.maxInputBytes + 1)) ?? Data()
        guard data.count <= configuration.maxInputBytes else { throw Error.tooLarge }
        let bytes = Array(data)
        guard Self.isWebVTT(bytes) else { throw Error.invalidWebVTT }
        return bytes
    }

    /// WebVTT's signature (W3C WebVTT §4.1): optional BOM, `WEBVTT`, then space, tab, line end or
    /// the end; and the whole file UTF-8.
    static func isWebVTT(_ bytes: [UInt8]) -> Bool {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        guard body.starts(with: Array("WEBVTT".utf8)) else { return false }
        let next = body.dropFirst(6).first
        guard next == nil || next == 0x20 || next == 0x09 || next == 0x0A || next == 0x0D else { return false }
        return String(validating: body, as: UTF8.self) != nil
    }

    /// Runs ffmpeg with `input` (input options, `-i`, `-map`) and returns its WebVTT.
    private func convert(_ input: [String]) async throws -> [UInt8] {
        await acquireSlot()
        defer { releaseSlot() }
        let scratch = configuration.cacheDirectory.appendingPathComponent("run-\(UUID().uuidString)")
        let output = scratch.appendingPathExtension("vtt")
        let log = scratch.appendingPathExtension("log")
        defer {
            try? FileManager.default.removeItem(at: output)
            try? FileManager.default.removeItem(at: log)
        }
        let arguments = ["-nostdin", "-hide_banner", "-nostats", "-loglevel", "error",
                         "-protocol_whitelist", "file,pipe"] + input
            + ["-fs", String(configuration.maxOutputBytes + 1), "-c:s", "webvtt", "-f", "webvtt", "pipe:1"]
        let process: FFmpegProcess
        do {
            process = try FFmpegProcess(executable: tools.ffmpeg, arguments: arguments, stdout: output, log: log)
        } catch {
            throw Error.ffmpegLaunchFailed(String(describing: error))
        }
        let deadline = ContinuousClock.now + configuration.timeout
        while process.exitCode == nil {
            var st = stat()
            if stat(output.path, &st) == 0, Int(st.st_size) > configuration.maxOutputBytes {
                await process.stop()
                throw Error.tooLarge
            }
            if ContinuousClock.now >= deadline {
                await process.stop()
                logger.warning("subtitle conversion timed out")
                throw Error.timedOut
            }
            try? await Task.sleep(for: .milliseconds(25))
        }
        let status = await process.waitForExit()
        guard status == 0 else {
            let line = FFmpegProcess.lastLogLine(log)
            logger.warning("subtitle conversion failed", metadata: ["status": "\(status)", "ffmpeg": "\(line)"])
            throw Error.conversionFailed(line.isEmpty ? "exit status \(status)" : String(line.prefix(200)))
        }
        guard let data = FileManager.default.contents(atPath: output.path) else { throw Error.conversionFailed("no output") }
        guard data.count <= configuration.maxOutputBytes else { throw Error.tooLarge }
        let bytes = Array(data)
        guard Self.isWebVTT(bytes) else { throw Error.conversionFailed("the output is not WebVTT") }
        return bytes
    }

    /// Writes a cache entry atomically with mode 0600; a failure only costs a later conversion.
    private func store(_ bytes: [UInt8], at final: URL) {
        let temp = final.appendingPathExtension("tmp-\(UUID().uuidString)")
        let fd = open(temp.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        let written = bytes.withUnsafeBytes { buffer -> Bool in
            guard let base = buffer.baseAddress else { return true }
            var offset = 0
            while offset < buffer.count {
                let n = write(fd, base.advanced(by: offset), buffer.count - offset)
                if n < 0 { if errno == EINTR { continue }; return false }
                offset += n
            }
            return true
        }
        close(fd)
        if !written || rename(temp.path, final.path) != 0 {
            unlink(temp.path)
            logger.warning("could not cache a converted subtitle track", metadata: ["path": "\(final.path)"])
        }
    }

    private func acquireSlot() async {
        if running < max(1, configuration.maxConcurrentConversions) {
            running += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func releaseSlot() {
        if waiting.isEmpty { running -= 1 } else { waiting.removeFirst().resume() }
    }
}
