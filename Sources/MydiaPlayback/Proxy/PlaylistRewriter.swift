/// Keeps a playlist's URIs inside the proxy. The instance's URIs are relative and carry no token
/// (PROTOCOL.md §12.15), so a playlist normally passes byte for byte; only a URI that is absolute
/// (a path from `/`, a scheme, a network path `//host`) or carries a query or fragment is
/// rewritten, because the player must never see an instance URL or a token (§10).
///
/// It works on bytes, never on `String`/`Character`: a "/", "?" or ":" followed by a combining
/// mark is one Character but still a separator to the player, and a playlist that is not UTF-8
/// must be checked all the same (PROTOCOL.md §13.40, §13.43).
public enum PlaylistRewriter {
    private static let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r"), slash = UInt8(ascii: "/")
    private static let schemeSeparator = Array("://".utf8), uriKey = Array("URI=".utf8)

    /// The playlist to hand the player, or `bytes` itself when nothing needed rewriting. Lines are
    /// kept (LF or CR LF as they were); only URI lines and tags' `URI=` attributes can change.
    /// - Parameter prefix: this playback's path prefix (32 hex digits).
    public static func rewrite(_ bytes: [UInt8], prefix: String) -> [UInt8] {
        var changed = false
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 64)
        for (index, raw) in bytes.split(separator: lf, omittingEmptySubsequences: false).enumerated() {
            if index > 0 { output.append(lf) }
            let hasCR = raw.last == cr
            let line = hasCR ? raw.dropLast() : raw
            let rewritten: [UInt8]?
            if line.first == UInt8(ascii: "#") {
                rewritten = rewriteAttributes(line, prefix: prefix)
            } else if line.allSatisfy(isBlank) {
                rewritten = nil
            } else {
                rewritten = rewriteURI(line, prefix: prefix)
            }
            if let rewritten {
                changed = true
                output += rewritten
                if hasCR { output.append(cr) }
            } else {
                output += raw
            }
        }
        return changed ? output : bytes
    }

    /// A URI the player may use, or `nil` when `uri` is already fine (relative, no query).
    static func rewriteURI(_ uri: ArraySlice<UInt8>, prefix: String) -> [UInt8]? {
        var path = uri.drop(while: isBlank)
        var absolute = false
        let firstSegment = path.prefix { $0 != slash }
        if let scheme = find(schemeSeparator, in: path) {
            // scheme://authority/path: keep the path.
            absolute = true
            let afterAuthority = path[scheme.upperBound...]
            path = afterAuthority.firstIndex(of: slash).map { afterAuthority[$0...] } ?? [slash][...]
        } else if firstSegment.contains(UInt8(ascii: ":")) {
            // Another scheme (`data:`, `file:`): nothing the proxy can serve.
            return unavailable(prefix)
        } else if path.starts(with: [slash, slash]) || path.first == UInt8(ascii: "\\") {
            // A network-path reference (`//host/…`) or a backslash some parsers read as "/".
            return unavailable(prefix)
        } else if path.first == slash {
            absolute = true
        }
        let cut = path.firstIndex { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
        guard absolute || cut != nil else { return nil }
        if let cut { path = path[..<cut] }
        // A relative URI only loses its query: the blanks before it stay, so a value that followed
        // `URI= ` unquoted is not turned into a quoted one (found by the `playlist` fuzz target).
        guard absolute else { return Array(uri[..<path.startIndex]) + Array(path) }
        // A second scheme inside the path ("https://a/api/v1/hls/x://y") is nothing to serve either.
        if find(schemeSeparator, in: path) != nil { return unavailable(prefix) }
        if path.starts(with: "/\(prefix)/".utf8) { return Array(path) }
        for (instance, local) in [("/api/v1/hls/", "hls"), ("/api/v1/stream/file/", "file")] where path.starts(with: instance.utf8) {
            return Array("/\(prefix)/\(local)/".utf8) + path.dropFirst(instance.utf8.count)
        }
        // Anything else would send the player outside the proxy: point it at an address that 404s.
        return unavailable(prefix)
    }

    /// Rewrites the `URI=` attributes of a tag line (`#EXT-X-MEDIA`, `#EXT-X-MAP`, `#EXT-X-KEY`…),
    /// quoted as the HLS spec writes them or unquoted (up to the next comma) as ffmpeg also reads them.
    private static func rewriteAttributes(_ line: ArraySlice<UInt8>, prefix: String) -> [UInt8]? {
        guard find(uriKey, in: line) != nil else { return nil }
        var result: [UInt8] = []
        var rest = line
        var changed = false
        while let at = find(uriKey, in: rest) {
            result += rest[..<at.upperBound]
            rest = rest[at.upperBound...]
            let quoted = rest.first == UInt8(ascii: "\"")
            if quoted {
                result.append(UInt8(ascii: "\""))
                rest = rest.dropFirst()
            }
            let value = rest.prefix { $0 != (quoted ? UInt8(ascii: "\"") : UInt8(ascii: ",")) }
            if let rewritten = rewriteURI(value, prefix: prefix) {
                result += rewritten
                changed = true
            } else {
                result += value
            }
            rest = rest[value.endIndex...]
        }
        result += rest
        return changed ? result : nil
    }

    /// Where `needle` first occurs in `bytes` (a plain scan: the generic `firstRange(of:)` costs
    /// far more per call, and the fuzzer calls this millions of times).
    private static func find(_ needle: [UInt8], in bytes: ArraySlice<UInt8>) -> Range<Int>? {
        guard let first = needle.first, bytes.count >= needle.count else { return nil }
        var i = bytes.startIndex
        let last = bytes.endIndex - needle.count
        while i <= last {
            if bytes[i] == first, bytes[i..<i + needle.count].elementsEqual(needle) { return i..<i + needle.count }
            i += 1
        }
        return nil
    }

    private static func unavailable(_ prefix: String) -> [UInt8] { Array("/\(prefix)/unavailable".utf8) }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
}
