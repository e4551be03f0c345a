import Foundation
import MydiaClient
import MydiaConnection
@testable import MydiaPlayback
import MydiaTestSupport
import Testing

/// Instant start (issue 20 §4) with real headless mpv and mydia-server: mpv opens a direct-play MP4
/// whose `moov` is at the end (ffmpeg's default) — its opening read, the seek to `moov` and the
/// seek back to the first frames — without one request to the server for them beyond those the
/// direct-play check made (the file's first bytes and its last 256 KiB), so its first frame costs no
/// round trip of its own.
@Suite(.serialized) struct DirectPlayStartTests {
    /// On the direct path the window is one request of 1 MiB; over the relay 512 KiB in two of one
    /// stream's initial credit each, so none waits a round trip for more.
    @Test(arguments: [false, true])
    func mpvShowsTheFirstFrameOfAnMP4WithMoovAtTheEndFromTheCheckRequestsAlone(overRelay: Bool) async throws {
        let fixture = try await PlaybackFixture.start(directURL: overRelay ? "https://127.0.0.1:9" : nil)
        defer { Task { await fixture.close() } }
        if overRelay { try await fixture.waitFor(.relay) }
        let recorder = StockMediaEndToEndTests.Recorder(fixture)
        let playback = try await Playback.start(api: fixture.session.api, upstream: recorder, itemID: try await fixture.longMovieID(),
                                                options: try PlaybackEndToEndTests.mpvOptions(strategy: nil), logger: fixture.log.logger())
        #expect(await playback.current?.strategy == .directPlay)
        let deadline = ContinuousClock.now + .seconds(30)
        while await playback.firstFrameShown == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(await playback.firstFrameShown != nil)
        let atFirstFrame = recorder.requests.filter { $0.path.hasPrefix("/api/v1/stream/file/") }
        let (window, piece) = overRelay ? (FilePrefetch.relayWindowBytes, FilePrefetch.relayPieceBytes) : (FilePrefetch.windowBytes, FilePrefetch.windowBytes)
        let asked = stride(from: 0, to: window, by: piece).map { "bytes=\($0)-\($0 + piece - 1)" } + ["bytes=-\(FilePrefetch.tailBytes)"]
        let ranges = atFirstFrame.map { $0.headers["range"] ?? "-" }
        #expect(Set(ranges.prefix(asked.count)) == Set(asked), "\(ranges)")
        // Past the check only the window's continuation (mpv reads ahead from memory at once); no
        // request for the start, for `moov` at the end or for the seek back.
        #expect(ranges.dropFirst(asked.count).allSatisfy { $0 == "bytes=\(window)-" }, "\(ranges)")
        // mpv did read the file through the proxy: its requests were answered from the prefetch.
        #expect(fixture.log.all.contains { $0.contains("answered from the prefetch") })
        #expect((await playback.proxyStatistics?.requests ?? 0) >= 2)
        await playback.stop()
        await fixture.close()  // at once, so no server outlives its test
    }
}
