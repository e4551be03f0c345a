import Foundation
import Logging
import MydiaAPI
import MydiaConnection
import MydiaPlayback

extension DownloadEngine {
    /// Fetches the file's bytes into `part` until it holds the whole file: the first request, or
    /// `Range` from the part's size with `If-Range` (the strong ETag the bytes came with). A 200
    /// to a resume, or a 206 with another ETag or range, means the file changed: start over.
    /// Failures mid-way are retried after ``Options/retryDelays`` (reset by progress). - Returns:
    /// the content type the server sent.
    func fetch(file: MediaFile, title: String, folder: URL, part: PartialFile, partial: inout PartialState?,
               progress: inout DownloadProgress) async throws -> String? {
        let target = ProxyRoute.file(id: ProxyRoute.segment(file.id)).upstreamTarget
        progress.resumedFrom = part.size
        progress.bytes = part.size
        progress.total = partial?.totalBytes
        var meter = RateMeter()
        var failures = 0
        var contentType: String?
        while true {
            try Task.checkCancellation()
            if let known = partial, part.size == known.totalBytes, part.size > 0 { return contentType }
            let before = part.size
            var headers: [String: String] = [:]
            if let known = partial, part.size > 0 {
                headers["range"] = "bytes=\(part.size)-"
                headers["if-range"] = known.etag
            }
            do {
                let response = try await upstream.send(PathRequest(method: "GET", path: target, headers: headers))
                let etag = Self.strongETag(response.headers["etag"])
                contentType = response.headers["content-type"] ?? contentType
                let total: Int64
                switch response.status {
                case 206 where part.size > 0:
                    guard let range = ByteRangeHeader(response.headers["content-range"]), range.first == part.size,
                          let whole = range.total, let etag, etag == partial?.etag else {
                        try await restart(part, response, &partial, &progress, why: "the partial answer belongs to another version of the file")
                        continue
                    }
                    total = whole
                case 200:
                    if part.size > 0 {
                        // If-Range did not match: the server sent the whole, changed file.
                        logger.notice("the file changed on the server; the download starts over", metadata: ["item": "\(progress.itemID)"])
                        try part.truncate()
                        progress.phase = .restarted
                        progress.bytes = 0
                        publish(progress, force: true)
                    }
                    guard let length = response.headers["content-length"].flatMap({ Int64($0) }) else {
                        for try await _ in response.body {}
                        throw Error.refused(title: title, status: 200)
                    }
                    total = length
                case 416 where part.size > 0:
                    try await restart(part, response, &partial, &progress, why: "the partial file is longer than the server's")
                    continue
                default:
                    do { for try await _ in response.body {} } catch {}
                    throw Error.refused(title: title, status: response.status)
                }
                if let etag {
                    let state = PartialState(fileId: file.id, etag: etag, totalBytes: total)
                    if partial != state {
                        partial = state
                        try writeJSON(state, to: folder.appendingPathComponent(Self.partialStateName))
                    }
                } else if partial != nil {
                    partial = nil
                    unlink(folder.appendingPathComponent(Self.partialStateName).path)
                }
                progress.total = total
                progress.phase = .downloading
                try checkSpace(needed: total - part.size, title: title)
                for try await chunk in response.body {
                    try part.append(chunk)
                    progress.bytes = part.size
                    meter.add(at: clock.now(), bytes: part.size)
                    progress.bytesPerSecond = meter.bytesPerSecond
                    publish(progress)
                    do { try await options.chunkWritten?(part.size) } catch { throw Stopped(error: error) }
                }
                try Task.checkCancellation()
                if part.size == total {
                    if partial == nil {
                        logger.info("the server sent no strong ETag; the download cannot be resumed if cut", metadata: ["item": "\(progress.itemID)"])
                    }
                    return contentType
                }
                if part.size > total {
                    try await restart(part, nil, &partial, &progress, why: "the server sent more bytes than announced")
                    continue
                }
                // A body that ended short: ask for the rest.
                throw ConnectionManager.Error.resumeFailed("the body ended after \(part.size) of \(total) bytes")
            } catch let error as Error {
                throw error
            } catch let stopped as Stopped {
                throw stopped.error
            } catch let failure as PartialFile.Failure {
                throw failure
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                if Task.isCancelled { throw CancellationError() }
                if partial == nil, part.size > 0 { try part.truncate() }  // not resumable: start over
                if part.size > before { failures = 0 }
                failures += 1
                guard failures <= options.retryDelays.count else {
                    throw Error.interrupted(title: title, reason: Self.sentence(error))
                }
                let delay = options.retryDelays[failures - 1]
                logger.notice("download interrupted; resuming", metadata: ["item": "\(progress.itemID)", "bytes": "\(part.size)",
                                                                            "error": "\(error)", "retry_in": "\(delay)"])
                try await clock.sleep(delay)
            }
        }
    }

    /// Empties the part and forgets its ETag (the server's file is another one now).
    private func restart(_ part: PartialFile, _ response: PathResponse?, _ partial: inout PartialState?, _ progress: inout DownloadProgress,
                         why: String) async throws {
        if let response { do { for try await _ in response.body {} } catch {} }
        logger.notice("download starts over", metadata: ["item": "\(progress.itemID)", "why": "\(why)"])
        try part.truncate()
        partial = nil
        progress.phase = .restarted
        progress.bytes = 0
        publish(progress, force: true)
    }

    /// A strong entity tag, or nil for a weak or missing one.
    static func strongETag(_ header: String?) -> String? {
        guard let tag = header?.trimmingCharacters(in: .whitespaces), tag.hasPrefix("\""), tag.hasSuffix("\""), tag.count >= 2 else { return nil }
        return tag
    }

    /// Saves the file's text subtitle tracks as WebVTT (PROTOCOL.md §14.2.6). A track the server
    /// cannot send is skipped with a warning; a full disk ends the download.
    func fetchSubtitles(of file: MediaFile, into folder: URL, title: String) async throws -> [DownloadRecord.Subtitle] {
        let tracks = file.subtitles.filter(\.isDeliverable)
        guard !tracks.isEmpty else { return [] }
        try ensureDirectory(folder.path)
        var saved: [DownloadRecord.Subtitle] = []
        for (index, track) in tracks.enumerated() {
            let target = ProxyRoute.subtitles(fileID: ProxyRoute.segment(file.id), trackID: ProxyRoute.segment(track.trackId)).upstreamTarget
            do {
                let response = try await upstream.send(PathRequest(method: "GET", path: target))
                var bytes: [UInt8] = []
                for try await chunk in response.body {
                    bytes += chunk
                    guard bytes.count <= Self.subtitleLimit else { throw Error.storage("subtitle track larger than 16 MB") }
                }
                guard response.status == 200 else {
                    logger.warning("a subtitle track was not saved", metadata: ["track": "\(track.trackId)", "status": "\(response.status)"])
                    continue
                }
                let language = track.language.filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.prefix(8)
                let name = "\(index + 1).\(language.isEmpty ? "und" : String(language)).vtt"
                try writeBytes(bytes, to: folder.appendingPathComponent(name))
                saved.append(.init(trackId: track.trackId, language: track.language, title: track.title, fileName: name))
            } catch let failure as PartialFile.Failure {
                throw failure
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                logger.warning("a subtitle track was not saved", metadata: ["track": "\(track.trackId)", "error": "\(error)"])
            }
        }
        return saved
    }

    static let subtitleLimit = 16 << 20
}

/// What ``DownloadEngine/Options/chunkWritten`` threw: ends the download as it is, no retry.
struct Stopped: Error {
    let error: any Error
}

/// `content-range: bytes first-last/total`.
struct ByteRangeHeader: Equatable {
    let first: Int64
    let last: Int64
    let total: Int64?

    init?(_ header: String?) {
        guard let header, header.hasPrefix("bytes ") else { return nil }
        let parts = header.dropFirst(6).split(separator: "/", maxSplits: 1)
        let bounds = parts.first?.split(separator: "-", maxSplits: 1) ?? []
        guard parts.count == 2, bounds.count == 2, let first = Int64(bounds[0]), let last = Int64(bounds[1]), first >= 0, last >= first else { return nil }
        self.first = first
        self.last = last
        total = Int64(parts[1])
    }
}
