import MydiaPlayback

/// The local proxy's request-target parser (PROTOCOL.md §10, §12.22, §14.2.6): whatever the player
/// (or anything else on the machine) sends, an accepted target maps to one of the three instance
/// prefixes and carries no dot-segment, separator, control character or fragment upstream, and no
/// query but the route's own fixed one.
extension FuzzTargets {
    static let proxyPrefix = "0123456789abcdef0123456789abcdef"

    static func proxyRoute(_ data: [UInt8]) {
        // Odd first byte: the input follows this playback's prefix, so the fuzzer gets past it.
        let rest = String(decoding: data.dropFirst(), as: UTF8.self)
        let target = (data.first ?? 0) & 1 == 1 ? "/\(proxyPrefix)/" + rest : rest
        guard let route = try? ProxyRoute(target: target, prefix: proxyPrefix) else { return }
        let upstream = route.upstreamPath
        // Byte comparisons throughout: the instance sees bytes, and Character-based `hasPrefix` or
        // `split` treat "/" plus a combining mark as one unit.
        let bytes = Array(upstream.utf8)
        let base: String, query: String?
        if bytes.starts(with: "/api/v1/hls/".utf8) {
            (base, query) = ("/api/v1/hls/", nil)
        } else if bytes.starts(with: "/api/player/v1/subtitles/file/".utf8) {
            (base, query) = ("/api/player/v1/subtitles/file/", ProxyRoute.subtitleQuery)
        } else {
            precondition(bytes.starts(with: "/api/v1/stream/file/".utf8), "proxy maps outside the three prefixes: \(upstream)")
            (base, query) = ("/api/v1/stream/file/", ProxyRoute.directPlayQuery)
        }
        precondition(!bytes.contains(UInt8(ascii: "?")) && !bytes.contains(UInt8(ascii: "#")), "query or fragment forwarded: \(upstream)")
        precondition(route.upstreamQuery == query && Array(route.upstreamTarget.utf8) == bytes + (query.map { Array("?\($0)".utf8) } ?? []),
                     "another query forwarded: \(route.upstreamTarget)")
        for segment in bytes.dropFirst(base.utf8.count).split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            let decoded = percentDecoded(Array(segment))
            precondition(!decoded.isEmpty && decoded != Array(".".utf8) && decoded != Array("..".utf8),
                         "dot or empty segment forwarded: \(upstream)")
            precondition(!decoded.contains { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\\") || $0 < 0x20 || $0 == 0x7f },
                         "separator or control byte forwarded in \(Array(segment)) → \(decoded): \(upstream)")
        }
    }

    /// %XX decoding on bytes (an invalid escape stays as it is; the parser refuses those anyway).
    private static func percentDecoded(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count,
               let hi = hexDigit(bytes[i + 1]), let lo = hexDigit(bytes[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }

    private static func hexDigit(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
