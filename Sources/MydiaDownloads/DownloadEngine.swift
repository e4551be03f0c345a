import Foundation
public import Logging
public import MydiaAPI
public import MydiaConnection
public import MydiaPlayback
import MydiaSystem
import Glibc

/// Downloads an item's file for offline playback (issue 20): by direct play
/// (`GET /api/v1/stream/file/{id}`, PROTOCOL.md §14.2.6) over whichever path the ConnectionManager
/// has up, into a hidden partial folder, then into place by one rename with its
/// ``DownloadRecord`` and subtitle tracks.
///
/// - Resumes by `Range` from the partial file's size after any interruption: in-body by the
///   manager (a path swap), by a new request here (both paths gone for a while), or by the next run
///   after the process died. The bytes are tied to the server's strong ETag (`If-Range`): a changed
///   file answers 200 and the download starts over; a file without a strong ETag is never resumed.
/// - Checks the free space (``FreeSpace``) before writing; a disk that fills up anyway (`ENOSPC`)
///   ends with ``Error/diskFull(title:folder:)`` and the partial folder removed, so nothing
///   half-written stays; any other failure keeps it for a resume.
///
/// ```swift
/// let engine = DownloadEngine(store: store, api: session.api, manager: session.manager, logger: logger)
/// Task { for await progress in engine.updates { draw(progress) } }
/// let record = try await engine.download(itemID: "m1")
/// ```
public actor DownloadEngine {
    /// Tunables.
    public struct Options: Sendable {
        /// Waits before each new request after a failure mid-way; the download gives up (partial
        /// kept) when they run out without a byte of progress.
        public var retryDelays: [Duration] = [.seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30)]
        /// The free-space probe.
        public var freeSpace: FreeSpace = .statvfs
        /// Called after each chunk is on disk with the file's bytes so far; a throw ends the
        /// download there as a kill would (tests interrupt at a known point).
        public var chunkWritten: (@Sendable (Int64) async throws -> Void)?
        /// The shortest time between two `downloading` updates.
        public var updateInterval: Duration = .milliseconds(200)

        public init() {}
    }

    /// The engine's state: one download at a time.
    enum State: Equatable {
        case idle
        case downloading(itemID: String)
        case closed
    }

    /// The partial file's name inside its hidden folder.
    static let partName = "media.part"
    static let partialStateName = "partial.json"

    /// Every progress update of every download, in order; finishes after ``close()``.
    public nonisolated let updates: AsyncStream<DownloadProgress>
    private let continuation: AsyncStream<DownloadProgress>.Continuation
    let store: DownloadStore
    let api: APIClient
    let upstream: any MediaUpstream
    let options: Options
    let logger: Logger
    let clock: ManagerClock
    var state = State.idle
    var lastUpdate: Duration?

    /// An engine fetching through `manager` with `api`'s credentials (``ConnectionUpstream``).
    public init(store: DownloadStore, api: APIClient, manager: ConnectionManager, options: Options = Options(), logger: Logger,
                clock: some Clock<Duration> = ContinuousClock()) {
        self.init(store: store, api: api, upstream: ConnectionUpstream(manager: manager, api: api), options: options, logger: logger, clock: clock)
    }

    /// The same over any upstream (benchmarks).
    public init(store: DownloadStore, api: APIClient, upstream: any MediaUpstream, options: Options = Options(), logger: Logger,
                clock: some Clock<Duration> = ContinuousClock()) {
        (updates, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(64))
        self.store = store
        self.api = api
        self.upstream = upstream
        self.options = options
        self.logger = logger
        self.clock = ManagerClock(clock)
    }

    /// Ends ``updates``; later downloads are refused.
    public func close() {
        state = .closed
        continuation.finish()
    }

    /// Downloads `itemID` (a movie or episode id), or returns its complete download at once.
    /// - Throws: ``Error``, `PlaybackItem.Error`, API and connection errors, `CancellationError`
    ///   (the partial file is kept for a resume).
    public func download(itemID: String) async throws -> DownloadRecord {
        switch state {
        case .idle: break
        case .downloading(let other): throw Error.busy(title: other)
        case .closed: throw Error.storage("The download engine was closed.")
        }
        state = .downloading(itemID: itemID)
        defer { if state != .closed { state = .idle } }
        var progress = DownloadProgress(itemID: itemID, title: itemID, phase: .preparing, bytes: 0, total: nil, bytesPerSecond: 0, resumedFrom: 0)
        publish(progress, force: true)
        do {
            let record = try await run(itemID: itemID, progress: &progress)
            progress.phase = .complete
            progress.bytes = record.bytes
            progress.total = record.bytes
            publish(progress, force: true)
            return record
        } catch {
            progress.phase = .failed(Self.sentence(error))
            publish(progress, force: true)
            throw error
        }
    }

    func publish(_ progress: DownloadProgress, force: Bool = false) {
        let now = clock.now()
        if !force, let last = lastUpdate, now - last < options.updateInterval { return }
        lastUpdate = now
        continuation.yield(progress)
    }

    static func sentence(_ error: any Swift.Error) -> String {
        String(describing: error)
    }

    // MARK: - The steps

    private func run(itemID: String, progress: inout DownloadProgress) async throws -> DownloadRecord {
        if let done = store.record(itemID) { return done }
        let item = try await PlaybackItem.resolve(id: itemID, api: api)
        guard let file = item.file else { throw PlaybackItem.Error.noFile(item.displayTitle) }
        let title = item.displayTitle
        progress.title = title
        publish(progress, force: true)
        let directory = store.directory
        try ensureDirectory(directory.root.path)
        try ensureDirectory(directory.partialRoot.path)
        guard let lock = try DownloadLock(path: directory.lockFile(itemID).path) else { throw Error.busy(title: title) }
        defer { lock.release() }
        let folder = directory.partialFolder(itemID)
        try ensureDirectory(folder.path)
        var record = Self.record(for: item, file: file)
        record.path = folder.appendingPathComponent(Self.partName).path
        try writeJSON(record, to: folder.appendingPathComponent(DownloadStore.recordName))

        var partial = readPartialState(folder)
        if partial?.fileId != file.id { partial = nil }
        let part: PartialFile
        do { part = try PartialFile(path: folder.appendingPathComponent(Self.partName).path) } catch { throw Self.storageError(error, title: title, folder: folder) }
        do {
            // Bytes without a strong ETag to check them against are not resumed (issue 20).
            if partial == nil, part.size > 0 { try part.truncate() }
            if let size = file.size, size > 0 {
                try checkSpace(needed: Int64(size) - part.size, title: title)
            }
            let contentType = try await fetch(file: file, title: title, folder: folder, part: part, partial: &partial, progress: &progress)
            progress.phase = .subtitles
            publish(progress, force: true)
            record.subtitles = try await fetchSubtitles(of: file, into: folder.appendingPathComponent("subtitles", isDirectory: true), title: title)
            try part.sync()
            record.etag = partial?.etag
            record.bytes = part.size
            record.totalBytes = part.size
            return try finalize(record, item: item, file: file, contentType: contentType, folder: folder)
        } catch let failure as PartialFile.Failure {
            throw Self.storageError(failure, title: title, folder: folder)
        } catch let error as Error {
            if case .diskFull = error { removeQuietly(folder) }
            if case .insufficientSpace = error, part.size == 0 { removeQuietly(folder) }
            throw error
        }
    }

    /// A partial file's failure as the engine's error; a full disk removes the partial folder.
    private static func storageError(_ failure: PartialFile.Failure, title: String, folder: URL) -> Error {
        switch failure {
        case .diskFull:
            try? FileManager.default.removeItem(at: folder)
            return .diskFull(title: title, folder: folder.deletingLastPathComponent().deletingLastPathComponent().path)
        case .system(let why):
            return .storage(why)
        }
    }

    func removeQuietly(_ folder: URL) {
        do { try FileManager.default.removeItem(at: folder) } catch {
            logger.warning("a partial download could not be removed", metadata: ["folder": "\(folder.path)", "error": "\(error)"])
        }
    }

    func checkSpace(needed: Int64, title: String) throws {
        guard needed > 0 else { return }
        let available = try options.freeSpace.available(store.directory.root.path)
        if available < needed + FreeSpace.margin {
            throw Error.insufficientSpace(title: title, needed: needed + FreeSpace.margin, available: available, folder: store.directory.root.path)
        }
    }

    /// The complete download: the file renamed to its name, the record written, then the whole
    /// hidden folder renamed into the downloads folder in one step.
    private func finalize(_ record: DownloadRecord, item: PlaybackItem, file: MediaFile, contentType: String?, folder: URL) throws -> DownloadRecord {
        var record = record
        let name = DownloadDirectory.mediaFileName(title: item.displayTitle, ext: Self.fileExtension(contentType: contentType, container: file.container))
        let final = store.directory.completeFolder(record.id)
        guard rename(folder.appendingPathComponent(Self.partName).path, folder.appendingPathComponent(name).path) == 0 else {
            throw Error.storage("Could not rename the downloaded file in \(folder.path): \(String(cString: strerror(errno))).")
        }
        record.complete = true
        record.path = final.appendingPathComponent(name).path
        record.completedAt = ISO8601DateFormatter().string(from: Date())
        try writeJSON(record, to: folder.appendingPathComponent(DownloadStore.recordName))
        unlink(folder.appendingPathComponent(Self.partialStateName).path)
        if FileManager.default.fileExists(atPath: final.path) { removeQuietly(final) }
        guard rename(folder.path, final.path) == 0 else {
            throw Error.storage("Could not move the download into \(store.directory.root.path): \(String(cString: strerror(errno))).")
        }
        syncDirectory(store.directory.root.path)
        logger.notice("download complete", metadata: ["item": "\(record.id)", "bytes": "\(record.bytes)"])
        return record
    }

    static func record(for item: PlaybackItem, file: MediaFile) -> DownloadRecord {
        var record = DownloadRecord(
            id: item.reference.id, kind: item.reference.kind == .movie ? .movie : .episode, title: item.displayTitle,
            duration: file.duration ?? item.runtimeSeconds, fileId: file.id, bytes: 0, totalBytes: file.size.map { Int64($0) },
            complete: false, path: "", subtitles: [])
        switch item {
        case .movie(let movie):
            record.movie = movie
        case .episode(let episode):
            record.episodeItem = episode
            record.showId = episode.showId
            record.showTitle = episode.show?.title
            record.season = episode.seasonNumber
            record.episode = episode.episodeNumber
        }
        return record
    }

    /// The file's extension: from the content type the server sent, else its container.
    static func fileExtension(contentType: String?, container: String?) -> String? {
        let type = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let byType = ["video/mp4": "mp4", "video/x-matroska": "mkv", "video/webm": "webm", "video/mp2t": "ts",
                      "video/quicktime": "mov", "video/x-msvideo": "avi", "audio/mpeg": "mp3", "audio/mp4": "m4a"]
        if let ext = byType[type] { return ext }
        let first = container?.split(separator: ",").first.map { $0.lowercased() } ?? ""
        return ["matroska": "mkv", "mov": "mp4"][first] ?? (first.isEmpty ? nil : first)
    }

    // MARK: - Files

    func ensureDirectory(_ path: String) throws {
        do { try PrivateFile.ensureDirectory(path, logger: logger) } catch { throw Error.storage(error.description) }
    }

    func writeJSON(_ value: some Encodable, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data: Data
        do { data = try encoder.encode(value) } catch { throw Error.storage("Could not encode \(url.lastPathComponent): \(error).") }
        try writeBytes(Array(data), to: url)
    }

    /// Writes a small file atomically, 0600 (``PrivateFile``); a full disk is ``PartialFile/Failure/diskFull``.
    func writeBytes(_ bytes: [UInt8], to url: URL) throws {
        do { try PrivateFile.writeAtomically(bytes, to: url.path) } catch {
            if case .system(_, _, let code) = error, code == ENOSPC || code == EDQUOT { throw PartialFile.Failure.diskFull }
            throw Error.storage(error.description)
        }
    }

    func readPartialState(_ folder: URL) -> PartialState? {
        let path = folder.appendingPathComponent(Self.partialStateName).path
        guard let bytes = try? PrivateFile.read(path, logger: logger) else { return nil }
        return try? JSONDecoder().decode(PartialState.self, from: Data(bytes))
    }

    private func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        Glibc.close(fd)
    }
}
