public import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds byte-range-aware responses for files on disk: segment requests and the direct-play
/// endpoint `GET /api/v1/stream/file/{file_id}` (PROTOCOL.md §7, §11.16, §12.16).
///
/// - A single satisfiable range → 206 with `content-range`.
/// - Several ranges → 200 with the whole body (PROTOCOL.md §11.16).
/// - No satisfiable range → 416 with `content-range: bytes */SIZE`.
/// - A malformed or non-`bytes` `Range` is ignored (RFC 9110 §14.2) → 200.
/// - `If-Range` that does not match the strong `etag` → 200 with the whole body.
/// - Every answer has `content-length`; media answers have `accept-ranges: bytes` and `etag`.
public enum FileResponder {
    /// The response for a `GET`/`HEAD` of a media file.
    /// - Parameters:
    ///   - path: the file's absolute path.
    ///   - method: `GET` or `HEAD`.
    ///   - headers: the request headers (names matched case-insensitively).
    ///   - contentType: overrides the extension-based content type.
    ///   - chunkSize: the largest chunk the body yields.
    public static func response(
        path: String, method: StreamingMethod, headers: [String: String],
        contentType: String? = nil, chunkSize: Int = FileBody.defaultChunkSize
    ) -> APIResponse {
        guard let opened = open(path: path) else {
            return .error(status: 404, error: "not_found", message: "The file does not exist.", method: method)
        }
        let (descriptor, info) = opened
        let size = info.size
        var base: [String: String] = [
            "content-type": contentType ?? MediaContentType.forFileName(path),
            "accept-ranges": "bytes",
            "etag": info.etag,
        ]

        var range: ClosedRange<Int>?
        if let rangeHeader = headers.header("range"), let specs = ByteRange.parseHeader(rangeHeader),
            ifRangeMatches(headers.header("if-range"), etag: info.etag)
        {
            let satisfiable = specs.compactMap { $0.resolved(size: size) }
            if satisfiable.isEmpty {
                base["content-range"] = "bytes */\(size)"
                return .error(
                    status: 416, error: "range_not_satisfiable",
                    message: "The requested range lies outside the file.", headers: base, method: method)
            }
            // PROTOCOL.md §11.16: a multi-range request gets the whole body.
            if specs.count == 1 { range = satisfiable[0] }
        }

        let status: Int
        let offset: Int
        let length: Int
        if let range {
            status = 206
            offset = range.lowerBound
            length = range.count
            base["content-range"] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
        } else {
            status = 200
            offset = 0
            length = size
        }
        base["content-length"] = String(length)
        let body: APIResponse.Body =
            method == .head || length == 0
            ? .bytes([]) : .file(FileBody(descriptor: descriptor, offset: offset, length: length, chunkSize: chunkSize))
        return APIResponse(status: status, headers: base, body: body)
    }

    /// The response for a `GET`/`HEAD` of the media file at `fileURL`: the direct-play endpoint
    /// `GET /api/v1/stream/file/{file_id}` once the caller has mapped the id to a file.
    public static func response(
        fileURL: URL, method: StreamingMethod, headers: [String: String],
        contentType: String? = nil, chunkSize: Int = FileBody.defaultChunkSize
    ) -> APIResponse {
        response(path: fileURL.path, method: method, headers: headers, contentType: contentType, chunkSize: chunkSize)
    }

    /// The response for a playlist: always the whole file, never ranged or resumable
    /// (PROTOCOL.md §12.16), and not cached, since a transcode's playlist is per session.
    public static func playlistResponse(
        path: String, method: StreamingMethod, chunkSize: Int = FileBody.defaultChunkSize
    ) -> APIResponse {
        guard let (descriptor, info) = open(path: path) else {
            return .error(status: 404, error: "not_found", message: "The playlist does not exist.", method: method)
        }
        let headers = [
            "content-type": MediaContentType.playlist,
            "content-length": String(info.size),
            "cache-control": "no-cache",
        ]
        let body: APIResponse.Body =
            method == .head || info.size == 0
            ? .bytes([]) : .file(FileBody(descriptor: descriptor, offset: 0, length: info.size, chunkSize: chunkSize))
        return APIResponse(status: 200, headers: headers, body: body)
    }

    /// A strong entity tag from identity and version of the open file: device, inode, size and
    /// modification time in nanoseconds. Replacing or rewriting the file changes it.
    struct FileInfo {
        let size: Int
        let etag: String
    }

    private static func open(path: String) -> (FileDescriptor, FileInfo)? {
        guard let descriptor = FileDescriptor(path: path) else { return nil }
        var st = stat()
        guard fstat(descriptor.fd, &st) == 0, (st.st_mode & mode_t(S_IFMT)) == mode_t(S_IFREG) else { return nil }
        let mtimeNanos = Int64(st.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(st.st_mtim.tv_nsec)
        let tag = [UInt64(st.st_dev), UInt64(st.st_ino), UInt64(st.st_size), UInt64(bitPattern: mtimeNanos)]
            .map { String($0, radix: 16) }.joined(separator: "-")
        return (descriptor, FileInfo(size: Int(st.st_size), etag: "\"\(tag)\""))
    }

    /// RFC 9110 §13.1.5: the range applies only when `If-Range` is absent or names the current
    /// representation by a strong etag. A date or a weak tag never matches here, which is always
    /// safe: the client gets the whole, current representation.
    private static func ifRangeMatches(_ ifRange: String?, etag: String) -> Bool {
        guard let ifRange else { return true }
        return ifRange.trimmingOWS() == etag
    }
}
