import Foundation
import Logging
import MydiaAPI
import MydiaConnection
import Synchronization
import Testing
@testable import MydiaTUI

/// A scripted player: `play` returns the updates the test queued; stop and cancel are recorded.
final class FakePlayback: PlaybackController {
    let script: [PlaybackUpdate]
    let calls = Mutex<[String]>([])

    init(_ script: [PlaybackUpdate]) { self.script = script }

    func play(_ request: PlaybackRequest) async throws -> AsyncStream<PlaybackUpdate> {
        calls.withLock { $0.append("play \(request.fileID)") }
        let (stream, c) = AsyncStream<PlaybackUpdate>.makeStream()
        for u in script { c.yield(u) }
        c.finish()
        return stream
    }

    func stop() async { calls.withLock { $0.append("stop") } }
    func cancelCountdown() async { calls.withLock { $0.append("cancel") } }
}

/// Playback in the UI through the `PlaybackController` protocol, with a fake player: the info
/// line shows position, buffering, the path and the next-episode countdown; keys reach the player.
@Suite struct PlaybackViewTests {
    init() { T.utf8() }

    static let pilot = PlaybackRequest(kind: .episode, itemID: "e1-1", fileID: "file-e1-1", title: "Signal Hour · S01E01 · Pilot")
    static let next = PlaybackRequest(kind: .episode, itemID: "e1-2", fileID: "file-e1-2", title: "Signal Hour · S01E02 · Colour Bars")

    @Test func updatesFromThePlayerReachTheInfoLineAndKeysReachThePlayer() async throws {
        let fake = FakePlayback([
            PlaybackUpdate(item: Self.pilot, phase: .starting),
            PlaybackUpdate(item: Self.pilot, phase: .playing, position: 61, duration: 1_800, buffering: true, path: .relay),
            PlaybackUpdate(item: Self.pilot, phase: .ended, position: 1_800, duration: 1_800,
                           nextEpisode: .init(request: Self.next, secondsLeft: 5)),
        ])
        let (events, post) = AsyncStream<AppEvent>.makeStream()
        let dir = NSTemporaryDirectory() + "mydia-tui-fake-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let runner = EffectRunner(store: try CredentialStore(directory: URL(fileURLWithPath: dir)), playback: fake,
                                  cache: CatalogCache(directory: URL(fileURLWithPath: dir)), deviceName: "t", logger: Logger(label: "t"), post: post)
        var state = try T.browsing(rows: 10, columns: 90)
        runner.run(.play(Self.pilot), state: state)
        var lines: [String] = []
        for await event in events {
            _ = state.reduce(event)
            lines.append(Renderer.frame(state).lines[8].text)
            if state.playback?.nextEpisode != nil { break }
        }
        #expect(lines.contains { $0.contains("starting") && $0.contains("Pilot") })
        #expect(lines.contains { $0.contains("▶ Signal Hour · S01E01 · Pilot  01:01 / 30:00 · buffering · via RELAY") })
        #expect(lines.last == " Next: Signal Hour · S01E02 · Colour Bars in 5 s — x cancels")
        for effect in T.keys(&state, .character("x")) + T.keys(&state, .character("X")) { runner.run(effect, state: state) }
        try await Task.sleep(for: .milliseconds(200))
        // The runner starts each effect on a task of its own: cancel and stop may reach the player in either order.
        let calls = fake.calls.withLock { $0 }
        #expect(calls.first == "play file-e1-1" && calls.count == 3 && Set(calls.dropFirst()) == ["cancel", "stop"], "\(calls)")
    }

    @Test func aPlayerErrorIsOneSentenceOnTheInfoLine() throws {
        var state = try T.browsing(rows: 10, columns: 90)
        _ = state.reduce(.playback(PlaybackUpdate(item: Self.pilot, phase: .failed("mpv exited with status 2."))))
        #expect(Renderer.frame(state).lines[8].text.contains("✗ Signal Hour · S01E01 · Pilot: mpv exited with status 2."))
        _ = state.reduce(.playbackFailed("mpv is not installed — install it to play."))
        #expect(Renderer.frame(state).lines[8].text == " mpv is not installed — install it to play.")
    }
}
