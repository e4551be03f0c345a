import Foundation

/// Keeps a playlist's URIs inside the proxy. The instance's URIs are relative and carry no token
/// (PROTOCOL.md §12.15), so a playlist normally passes byte for byte; only a URI that is absolute
/// (a path from `/`, or a scheme) or carries a query is rewritten, because the player must never
/// see an instance URL or a token (§10).
enum PlaylistRewriter {
    /// The playlist to hand the player, or `bytes` itself when nothing needed rewriting.
    /// - Parameter prefix: this playback's path prefix (32 hex digits).
    static func rewrite(_ bytes: [UInt8], prefix: String) -> [UInt8] {
        guard String(validating: bytes, as: UTF8.self) != nil else { return bytes }
        var changed = false
        var output: [[UInt8]] = []
        // Split on LF bytes (a Swift String would treat CR LF as one character).
        for raw in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            let hasCR = raw.last == UInt8(ascii: "\r")
            let body = String(decoding: hasCR ? raw.dropLast() : raw, as: UTF8.self)
            let rewritten: String?
            if body.hasPrefix("#") {
                rewritten = rewriteAttributes(body, prefix: prefix)
            } else if body.allSatisfy({ $0 == " " || $0 == "\t" }) {
                rewritten = nil
            } else {
                rewritten = rewriteURI(body, prefix: prefix)
            }
            if let rewritten {
                changed = true
                output.append(Array(rewritten.utf8) + (hasCR ? [UInt8(ascii: "\r")] : []))
            } else {
                output.append(Array(raw))
            }
        }
        return changed ? Array(output.joined(separator: [UInt8(ascii: "\n")])) : bytes
    }

    /// A URI the player may use, or `nil` when `uri` is already fine (relative, no query).
    static func rewriteURI(_ uri: String, prefix: String) -> String? {
        var path = Substring(uri)
        var absolute = false
        if let scheme = path.range(of: "://") {
            absolute = true
            let afterScheme = path[scheme.upperBound...]
            path = afterScheme.firstIndex(of: "/").map { afterScheme[$0...] } ?? "/"
        } else if path.hasPrefix("/") {
            absolute = true
        }
        let hasQuery = path.contains("?") || path.contains("#")
        guard absolute || hasQuery else { return nil }
        if let cut = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<cut] }
        guard absolute else { return String(path) }
        if path.hasPrefix("/api/v1/hls/") {
            return "/\(prefix)/hls/" + path.dropFirst("/api/v1/hls/".count)
        }
        if path.hasPrefix("/api/v1/stream/file/") {
            return "/\(prefix)/file/" + path.dropFirst("/api/v1/stream/file/".count)
        }
        // Anything else would send the player outside the proxy: point it at an address that 404s.
        return "/\(prefix)/unavailable"
    }

    /// Rewrites `URI="…"` attributes of a tag line (`#EXT-X-MEDIA`, `#EXT-X-MAP`, `#EXT-X-KEY`…).
    private static func rewriteAttributes(_ line: String, prefix: String) -> String? {
        guard line.contains("URI=\"") else { return nil }
        var result = ""
        var rest = Substring(line)
        var changed = false
        while let start = rest.range(of: "URI=\"") {
            result += rest[..<start.upperBound]
            rest = rest[start.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { break }
            let uri = String(rest[..<end])
            if let rewritten = rewriteURI(uri, prefix: prefix) {
                result += rewritten
                changed = true
            } else {
                result += uri
            }
            rest = rest[end...]
        }
        result += rest
        return changed ? result : nil
    }
}
