@testable import MydiaPlayback
import Testing

/// The proxy's URL space (PROTOCOL.md §10, §12.22, §14.2.6): only `/<prefix>/hls/…`,
/// `/<prefix>/file/<id>` and `/<prefix>/subtitles/<fileId>/<trackId>`.
@Suite struct ProxyRouteTests {
    let prefix = "0123456789abcdef0123456789abcdef"

    @Test func mapsHLSAndFilePathsToTheInstanceAPI() throws {
        #expect(try ProxyRoute(target: "/\(prefix)/hls/s1/index.m3u8", prefix: prefix).upstreamPath == "/api/v1/hls/s1/index.m3u8")
        #expect(try ProxyRoute(target: "/\(prefix)/hls/s1/v0/seg00001.ts?x=1", prefix: prefix).upstreamPath == "/api/v1/hls/s1/v0/seg00001.ts")
        #expect(try ProxyRoute(target: "/\(prefix)/file/42", prefix: prefix).upstreamPath == "/api/v1/stream/file/42")
        #expect(try ProxyRoute(target: "/\(prefix)/hls/s1/index.m3u8", prefix: prefix).isPlaylist)
        #expect(try !ProxyRoute(target: "/\(prefix)/hls/s1/seg00000.ts", prefix: prefix).isPlaylist)
    }

    /// Direct play and subtitles carry the route's own fixed query upstream, never the player's.
    @Test func fileAndSubtitleRoutesAddTheirOwnQueryOnly() throws {
        let file = try ProxyRoute(target: "/\(prefix)/file/42?strategy=TRANSCODE&token=x", prefix: prefix)
        #expect(file == .file(id: "42") && file.upstreamTarget == "/api/v1/stream/file/42?strategy=DIRECT_PLAY")
        let subtitles = try ProxyRoute(target: "/\(prefix)/subtitles/42/sc_0a1b?format=srt", prefix: prefix)
        #expect(subtitles == .subtitles(fileID: "42", trackID: "sc_0a1b"))
        #expect(subtitles.upstreamTarget == "/api/player/v1/subtitles/file/42/sc_0a1b?format=vtt" && !subtitles.isPlaylist)
        #expect(try ProxyRoute(target: "/\(prefix)/hls/s1/index.m3u8?x", prefix: prefix).upstreamTarget == "/api/v1/hls/s1/index.m3u8")
        #expect(throws: ProxyRoute.Refusal.notFound) { try ProxyRoute(target: "/\(prefix)/subtitles/42", prefix: prefix) }
        #expect(throws: ProxyRoute.Refusal.notFound) { try ProxyRoute(target: "/\(prefix)/subtitles/42/2/x", prefix: prefix) }
        for bad in ["..", "%2e%2e", ".", "a%2fb", "a%5cb", "%zz", "", "%00"] {
            #expect(throws: ProxyRoute.Refusal.malformed, "\(bad)") { try ProxyRoute(target: "/\(prefix)/subtitles/42/\(bad)", prefix: prefix) }
            #expect(throws: ProxyRoute.Refusal.malformed, "\(bad)") { try ProxyRoute(target: "/\(prefix)/subtitles/\(bad)/2", prefix: prefix) }
        }
    }

    /// The ids the proxy puts in its own URLs come back as the same route (an id holding a path
    /// separator, which no server makes, stays refused like any encoded slash).
    @Test func idsRoundTripThroughTheProxysURLs() throws {
        #expect(throws: ProxyRoute.Refusal.malformed) { try ProxyRoute(target: "/\(prefix)/file/\(ProxyRoute.segment("a/b"))", prefix: prefix) }
        for id in ["42", "sc_0123abcd", "a b", "ü x", "%41", "x?y#z"] {
            let route = try ProxyRoute(target: "/\(prefix)/subtitles/\(ProxyRoute.segment("f 1"))/\(ProxyRoute.segment(id))", prefix: prefix)
            guard case .subtitles(let file, let track) = route else { Issue.record("\(route)"); continue }
            #expect(ProxyRoute.percentDecoded(file) == "f 1" && ProxyRoute.percentDecoded(track) == id)
        }
    }

    @Test func refusesAnotherPrefixAndUnmappedPaths() {
        #expect(throws: ProxyRoute.Refusal.notFound) { try ProxyRoute(target: "/ffff456789abcdef0123456789abcdef/hls/s/i.m3u8", prefix: prefix) }
        #expect(throws: ProxyRoute.Refusal.notFound) { try ProxyRoute(target: "/\(prefix)/api/v1/graphql", prefix: prefix) }
        #expect(throws: ProxyRoute.Refusal.notFound) { try ProxyRoute(target: "/\(prefix)/file/1/2", prefix: prefix) }
        #expect(throws: ProxyRoute.Refusal.notFound) { try ProxyRoute(target: "/\(prefix)/hls/s1", prefix: prefix) }
        #expect(throws: ProxyRoute.Refusal.notFound) { try ProxyRoute(target: "/", prefix: prefix) }
        #expect(throws: ProxyRoute.Refusal.notFound) { try ProxyRoute(target: "http://evil/\(prefix)/file/1", prefix: prefix) }
    }

    @Test func refusesDotSegmentsAlsoEncoded() {
        for bad in ["..", "%2e%2e", "%2E.", ".", "a%2fb", "a%5cb", "%zz", "", "%00"] {
            #expect(throws: ProxyRoute.Refusal.malformed, "\(bad)") { try ProxyRoute(target: "/\(prefix)/hls/s1/\(bad)/x.ts", prefix: prefix) }
        }
    }

    @Test func acceptsOnlyLoopbackHostHeaders() {
        #expect(ProxyHost.isAllowed("127.0.0.1:8080") && ProxyHost.isAllowed("localhost") && ProxyHost.isAllowed("LOCALHOST:1"))
        #expect(!ProxyHost.isAllowed("evil.example") && !ProxyHost.isAllowed("127.0.0.1.nip.io") && !ProxyHost.isAllowed(nil))
        #expect(!ProxyHost.isAllowed("127.0.0.1:80x") && !ProxyHost.isAllowed("[::1]:80") && !ProxyHost.isAllowed(""))
    }

    @Test func playlistsPassByteForByteUnlessAURIMustChange() {
        let relative = Array("#EXTM3U\n#EXTINF:4.0,\nseg00000.ts\n#EXT-X-ENDLIST\n".utf8)
        #expect(PlaylistRewriter.rewrite(relative, prefix: prefix) == relative)
        let absolute = "#EXTM3U\r\n#EXT-X-MAP:URI=\"/api/v1/hls/s1/init.mp4?token=abc\"\r\nhttps://10.0.0.2:4443/api/v1/hls/s1/seg0.ts?token=abc\r\nseg1.ts?token=abc\r\nhttps://cdn.example/x.ts\r\n"
        let rewritten = String(decoding: PlaylistRewriter.rewrite(Array(absolute.utf8), prefix: prefix), as: UTF8.self)
        #expect(rewritten == "#EXTM3U\r\n#EXT-X-MAP:URI=\"/\(prefix)/hls/s1/init.mp4\"\r\n/\(prefix)/hls/s1/seg0.ts\r\nseg1.ts\r\n/\(prefix)/unavailable\r\n")
        #expect(!rewritten.contains("token"))
    }

    /// The rewriter reads bytes: a "/", "?" or ":" joined to a combining mark still separates, a
    /// playlist that is not UTF-8 is still checked, unquoted `URI=` values (ffmpeg reads them), other
    /// schemes and network paths never reach the player; leading blanks do not hide a URI.
    @Test func theRewriterSeesSchemesQueriesAndAbsolutePathsWhateverSurroundsThem() {
        func rewritten(_ lines: [[UInt8]]) -> [String] {
            let playlist = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
            return PlaylistRewriter.rewrite(playlist, prefix: prefix).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self) }
        }
        let mark: [UInt8] = [0xcc, 0x81]  // U+0301 COMBINING ACUTE ACCENT
        let out = rewritten([
            Array("#EXTM3U".utf8),
            [UInt8(ascii: "/")] + mark + Array("api/v1/hls/s/seg.ts".utf8),
            Array("seg.ts?".utf8) + mark + Array("token=x".utf8),
            [0xff, 0xfe] + Array("?token=x".utf8),
            Array("#EXT-X-KEY:METHOD=AES-128,URI=https://server/api/v1/hls/s/key?token=t,IV=0x1".utf8),
            Array("#EXT-X-MEDIA:TYPE=AUDIO,URI=\"//evil.example/a.m3u8\"".utf8),
            Array("data:video/mp2t;base64,AAAA".utf8),
            Array("  /api/v1/stream/file/7".utf8),
            Array("  seg2.ts".utf8),
            Array("https://a/api/v1/hls/x://y".utf8),
        ])
        #expect(out[1] == "/\(prefix)/unavailable")  // "/" + mark is an absolute path outside the proxy
        #expect(out[2] == "seg.ts")
        #expect(out[3] == String(decoding: [0xff, 0xfe], as: UTF8.self))
        #expect(out[4] == "#EXT-X-KEY:METHOD=AES-128,URI=/\(prefix)/hls/s/key,IV=0x1")
        #expect(out[5] == "#EXT-X-MEDIA:TYPE=AUDIO,URI=\"/\(prefix)/unavailable\"")
        #expect(out[6] == "/\(prefix)/unavailable")
        #expect(out[7] == "/\(prefix)/file/7")
        #expect(out[8] == "  seg2.ts")  // relative: left exactly as it was
        #expect(out[9] == "/\(prefix)/unavailable")
        #expect(out.allSatisfy { !$0.contains("token") && !$0.contains("://") })
        // Found by the fuzz target: a blank after `URI=` makes the value unquoted; cutting its query
        // must not drop the blank and turn it into a quoted absolute path.
        let unquoted = rewritten([Array("#EXT-X-MAP:URI= \"/x.ts#frag".utf8)])
        #expect(unquoted == ["#EXT-X-MAP:URI= \"/x.ts"])
    }

    @Test func mpvVersionsAreParsedAndChecked() {
        #expect(MPVInstallation.parseVersion("mpv 0.35.1 Copyright © 2000-2023 mpv/MPlayer/mplayer2 projects\n") == "0.35.1")
        #expect(MPVInstallation.parseVersion("mpv v0.38.0-dirty Copyright") == "0.38.0-dirty")
        #expect(MPVInstallation.parseVersion("mplayer 1.0") == nil)
        #expect(MPVInstallation.isSupported("0.35.1") && MPVInstallation.isSupported("1.0") && MPVInstallation.isSupported("0.29"))
        #expect(!MPVInstallation.isSupported("0.28.2") && !MPVInstallation.isSupported("0.9"))
    }

    /// Found by the `proxyroute` fuzz target: "/" followed by a combining mark is one Character, so a
    /// Character-based split left a raw separator inside a segment and let "../" reach the instance.
    @Test func aSeparatorJoinedToACombiningMarkIsStillASeparator() throws {
        #expect(throws: ProxyRoute.Refusal.malformed) { try ProxyRoute(target: "/\(prefix)/hls/s/../\u{301}x", prefix: prefix) }
        let route = try ProxyRoute(target: "/\(prefix)/hls/s/a/\u{653}b", prefix: prefix)
        #expect(route == .hls(session: "s", path: ["a", "\u{653}b"]))
        // The same for "?": the query is dropped even when a combining mark follows it.
        #expect(try ProxyRoute(target: "/\(prefix)/hls/s/in?\u{35a}token=x", prefix: prefix).upstreamPath == "/api/v1/hls/s/in")
    }
}
