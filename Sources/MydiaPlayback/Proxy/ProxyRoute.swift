import MydiaCrypto
/// Where one request to the local proxy goes (PROTOCOL.md §10, §12.22, §14.2.6): the proxy's URL
/// space is `/<prefix>/hls/<session>/<path…>`, `/<prefix>/file/<id>` and
/// `/<prefix>/subtitles/<fileId>/<trackId>`; everything else is refused. The player's query is
/// never forwarded: the only query upstream is the route's own fixed one (``upstreamQuery``).
public enum ProxyRoute: Sendable, Equatable {
    /// `GET /api/v1/hls/<session>/<path>` on the instance.
    case hls(session: String, path: [String])
    /// `GET /api/v1/stream/file/<id>?strategy=DIRECT_PLAY` on the instance (direct play).
    case file(id: String)
    /// `GET /api/player/v1/subtitles/file/<fileId>/<trackId>?format=vtt` on the instance.
    case subtitles(fileID: String, trackID: String)

    /// The fixed queries a route adds upstream.
    public static let directPlayQuery = "strategy=DIRECT_PLAY"
    /// The WebVTT query of the subtitle route.
    public static let subtitleQuery = "format=vtt"

    /// Why a request target was refused, with the HTTP status the proxy answers.
    public enum Refusal: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// Not under this playback's prefix, or not one of the mapped prefixes (404).
        case notFound
        /// A dot-segment, an encoded slash, an empty segment or a malformed escape (400).
        case malformed

        /// The HTTP status for this refusal.
        public var status: Int {
            switch self {
            case .notFound: 404
            case .malformed: 400
            }
        }

        public var description: String {
            switch self {
            case .notFound: "The proxy has nothing at this address."
            case .malformed: "The request path is not a valid media path."
            }
        }
    }

    /// Parses an origin-form request target (query and fragment are dropped, never forwarded).
    /// - Parameters:
    ///   - target: e.g. `/0123…/hls/abc/seg00001.ts`.
    ///   - prefix: this playback's 32-hex-digit prefix.
    public init(target: String, prefix: String) throws(Refusal) {
        // Cut and split on scalars, not on Characters: "/" or "?" followed by a combining mark is one
        // Character, so a Character split would leave a raw separator inside a segment or forward a
        // query (both found by the `proxyroute` fuzz target).
        let scalars = target.unicodeScalars
        let path = scalars[..<(scalars.firstIndex { $0 == "?" || $0 == "#" } ?? scalars.endIndex)]
        guard path.first == "/" else { throw .notFound }
        let segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
            .map { String(String.UnicodeScalarView($0)) }
        // The prefix is the playback's secret: compared in constant time (issue 18).
        guard segments.count >= 3, ConstantTime.equals(segments[0], prefix) else { throw .notFound }
        for segment in segments.dropFirst() {
            // §12.22: dot-segments, also percent-encoded, are refused; so are encoded slashes and
            // backslashes (a second way to spell a path separator) and empty segments.
            guard let decoded = Self.percentDecoded(segment), !decoded.isEmpty, decoded != ".", decoded != "..",
                  !decoded.unicodeScalars.contains("/"), !decoded.unicodeScalars.contains("\\"),
                  !decoded.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f })
            else { throw .malformed }
        }
        switch segments[1] {
        case "hls" where segments.count >= 4:
            self = .hls(session: segments[2], path: Array(segments[3...]))
        case "file" where segments.count == 3:
            self = .file(id: segments[2])
        case "subtitles" where segments.count == 4:
            self = .subtitles(fileID: segments[2], trackID: segments[3])
        default:
            throw .notFound
        }
    }

    /// The instance API path this route maps to (still percent-encoded as the player sent it).
    public var upstreamPath: String {
        switch self {
        case .hls(let session, let path): "/api/v1/hls/\(session)/" + path.joined(separator: "/")
        case .file(let id): "/api/v1/stream/file/\(id)"
        case .subtitles(let file, let track): "/api/player/v1/subtitles/file/\(file)/\(track)"
        }
    }

    /// The route's own query upstream (never the player's): ``directPlayQuery`` for a file,
    /// ``subtitleQuery`` for subtitles, none for HLS.
    public var upstreamQuery: String? {
        switch self {
        case .hls: nil
        case .file: Self.directPlayQuery
        case .subtitles: Self.subtitleQuery
        }
    }

    /// ``upstreamPath`` and ``upstreamQuery``: the request target sent to the instance.
    public var upstreamTarget: String {
        upstreamQuery.map { upstreamPath + "?" + $0 } ?? upstreamPath
    }

    /// A path segment as the proxy's URLs carry an id (unreserved characters kept, the rest
    /// percent-encoded), so an id the server chose round-trips through ``init(target:prefix:)``.
    public static func segment(_ id: String) -> String {
        var out = ""
        for byte in id.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0x0f, radix: 16, uppercase: true)
            }
        }
        return out
    }

    /// Whether the response is a playlist (fetched whole, retried, never resumed part-way: §12.16).
    public var isPlaylist: Bool {
        if case .hls(_, let path) = self, let last = path.last { return last.lowercased().hasSuffix(".m3u8") }
        return false
    }

    /// A short description for logs: the mapped kind and last path element, never the prefix.
    var logName: String {
        switch self {
        case .hls(_, let path): "hls/\(path.joined(separator: "/"))"
        case .file: "file"
        case .subtitles: "subtitles"
        }
    }

    /// Percent-decodes `segment`; `nil` for a malformed escape or invalid UTF-8.
    static func percentDecoded(_ segment: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(segment.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// The proxy's `Host` rule (PROTOCOL.md §10): only `127.0.0.1` or `localhost`, with an optional port.
enum ProxyHost {
    static func isAllowed(_ host: String?) -> Bool {
        guard let host = host?.lowercased(), !host.isEmpty else { return false }
        let name: Substring
        if let colon = host.lastIndex(of: ":") {
            let port = host[host.index(after: colon)...]
            guard !port.isEmpty, port.allSatisfy(\.isASCII), port.allSatisfy(\.isNumber) else { return false }
            name = host[..<colon]
        } else {
            name = host[...]
        }
        return name == "127.0.0.1" || name == "localhost"
    }
}
