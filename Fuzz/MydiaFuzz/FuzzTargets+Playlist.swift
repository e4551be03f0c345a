import MydiaPlayback

/// The proxy's playlist rewriter (PROTOCOL.md §10, §12.15): whatever playlist the instance sends,
/// the player gets one in which no URI (a URI line, or a tag's `URI=` attribute, quoted or not)
/// names a scheme, carries a query or fragment, or is an absolute path outside this playback's
/// prefix — checked on bytes, independently of how the rewriter parses. Lines are never added or
/// dropped, a playlist that needs nothing passes byte for byte, and rewriting is idempotent.
extension FuzzTargets {
    static func playlist(_ data: [UInt8]) {
        let output = PlaylistRewriter.rewrite(data, prefix: proxyPrefix)
        let unsafe = unsafeURIs(in: output)
        precondition(unsafe.isEmpty, "the player would see \(unsafe.map { String(decoding: $0, as: UTF8.self) })")
        precondition(output.count(where: { $0 == lf }) == data.count(where: { $0 == lf }), "lines added or dropped")
        precondition(PlaylistRewriter.rewrite(output, prefix: proxyPrefix) == output, "rewriting twice changes the playlist")
        if unsafeURIs(in: data).isEmpty {
            precondition(output == data, "a playlist that needed nothing was changed")
        }
    }

    private static let lf = UInt8(ascii: "\n")
    private static let uriKey = Array("URI=".utf8), schemeSeparator = Array("://".utf8), prefixPath = Array("/\(proxyPrefix)/".utf8)

    /// The first occurrence of `needle` in `bytes`.
    private static func range(of needle: [UInt8], in bytes: ArraySlice<UInt8>) -> Range<Int>? {
        guard bytes.count >= needle.count else { return nil }
        for i in bytes.startIndex...(bytes.endIndex - needle.count) where bytes[i..<i + needle.count].elementsEqual(needle) {
            return i..<i + needle.count
        }
        return nil
    }

    /// Every URI in `playlist` the player must not see.
    static func unsafeURIs(in playlist: [UInt8]) -> [[UInt8]] {
        var found: [[UInt8]] = []
        for var line in playlist.split(separator: lf, omittingEmptySubsequences: false) {
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.first == UInt8(ascii: "#") {
                var rest = line[...]
                while let at = range(of: uriKey, in: rest) {
                    rest = rest[at.upperBound...]
                    // The value as a player's attribute parser reads it; scanning goes on after it.
                    let quoted = rest.first == UInt8(ascii: "\"")
                    if quoted { rest = rest.dropFirst() }
                    let value = rest.prefix { $0 != (quoted ? UInt8(ascii: "\"") : UInt8(ascii: ",")) }
                    rest = rest[value.endIndex...]
                    if !isSafe(value) { found.append(Array(value)) }
                }
            } else if !line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) {
                if !isSafe(line) { found.append(Array(line)) }
            }
        }
        return found
    }

    /// A URI the player may resolve against the proxy's playlist URL.
    private static func isSafe(_ raw: ArraySlice<UInt8>) -> Bool {
        let uri = raw.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        if range(of: schemeSeparator, in: uri) != nil { return false }
        if uri.contains(UInt8(ascii: "?")) || uri.contains(UInt8(ascii: "#")) { return false }
        // A colon in the first segment is a scheme (`data:`, `file:`): RFC 3986 §4.2.
        if uri.prefix(while: { $0 != UInt8(ascii: "/") }).contains(UInt8(ascii: ":")) { return false }
        if uri.first == UInt8(ascii: "/") || uri.first == UInt8(ascii: "\\") {
            return uri.starts(with: prefixPath)
        }
        return true
    }
}
