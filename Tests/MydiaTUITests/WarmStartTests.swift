import Foundation
import Logging
import MydiaAPI
import MydiaClient
import MydiaConnection
import MydiaCrypto
import MydiaPlayback
import MydiaServer
import MydiaTestSupport
import Synchronization
import Testing
@testable import MydiaTUI

/// Instant start (issue 20): the detail pane's lookup of a movie or episode is what Enter needs.
/// It goes once when the pane opens on the item (again only when the pane comes back to it after
/// the lookup has aged), the runner keeps the item for 30 s, and Enter hands it to the player,
/// which then starts without looking the item up again.
@Suite(.serialized) struct WarmStartTests {
    init() { T.utf8() }

    /// A player that records the prepared item each start was given (nil: none).
    final class PreparedRecorder: PlaybackController {
        let starts = Mutex<[String?]>([])
        func play(_ request: PlaybackRequest) async throws -> AsyncStream<MydiaTUI.PlaybackUpdate> {
            try await play(request, prepared: nil)
        }
        func play(_ request: PlaybackRequest, prepared: PlaybackItem?) async throws -> AsyncStream<MydiaTUI.PlaybackUpdate> {
            starts.withLock { $0.append(prepared?.reference.id) }
            let (stream, c) = AsyncStream<MydiaTUI.PlaybackUpdate>.makeStream()
            c.yield(MydiaTUI.PlaybackUpdate(item: request, phase: .ended))
            c.finish()
            return stream
        }
        func stop() async {}
        func cancelCountdown() async {}
    }

    static func lookups(_ effects: [Effect]) -> [String] {
        effects.compactMap { if case .loadDetail(_, let id) = $0 { id } else { nil } }
    }

    @Test func thePaneLooksAnItemUpOnceAndAgainOnlyWhenItComesBackAfterTheLookupAged() throws {
        var state = try T.browsing(rows: 30, columns: 120)
        _ = T.keys(&state, .character("2"))
        let ids = state.catalog.movies.items.map(\.id)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(Self.lookups(state.reduce(.tick(t0))) == [ids[0]])
        #expect(Self.lookups(state.reduce(.tick(t0 + 1))).isEmpty, "in flight")
        _ = state.reduce(.loaded(.detail(id: ids[0], files: [])))
        #expect(Self.lookups(state.reduce(.tick(t0 + 2))).isEmpty, "resting: nothing more")
        _ = T.keys(&state, .character("j"))
        #expect(Self.lookups(state.reduce(.tick(t0 + 3))) == [ids[1]])
        _ = state.reduce(.loaded(.detail(id: ids[1], files: [])))
        _ = T.keys(&state, .character("k"))
        #expect(Self.lookups(state.reduce(.tick(t0 + 10))).isEmpty, "back within 30 s: the lookup is still good")
        _ = T.keys(&state, .character("j"))
        #expect(Self.lookups(state.reduce(.tick(t0 + 40))) == [ids[1]], "back after 37 s: looked up again for Enter")
        _ = state.reduce(.loaded(.detail(id: ids[1], files: [])))
        #expect(Self.lookups(state.reduce(.tick(t0 + 400))).isEmpty, "an idle pane sends nothing")
    }

    @Test func preparedItemsAreKeptThirtySecondsPerServer() throws {
        let clock = ManualClock()
        let prepared = PreparedItems(clock: ManagerClock(clock))
        let movie = try #require(try T.movies(1)[0].nodes.first)
        prepared.store(.movie(movie), server: "a")
        #expect(prepared.fresh(movie.id, server: "a") == .movie(movie))
        #expect(prepared.fresh("other", server: "a") == nil)
        #expect(prepared.fresh(movie.id, server: "b") == nil, "another server's item of the same id")
        clock.advance(by: .seconds(29))
        #expect(prepared.fresh(movie.id, server: "a") != nil)
        clock.advance(by: .seconds(1))
        #expect(prepared.fresh(movie.id, server: "a") == nil)
    }

    /// For real over a relay and a server in this process: the pane's lookup reaches the server
    /// once, and Enter gives the player that item instead of a second lookup; 30 s later it does not.
    @Test(.timeLimit(.minutes(2))) func enterStartsWithTheItemThePaneLookedUp() async throws {
        let stack = try await ServerStack.start()
        let dir = NSTemporaryDirectory() + "mydia-tui-warm-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        let store = try CredentialStore(directory: URL(fileURLWithPath: dir + "/config"), logger: quiet)
        let claim = try await stack.host.issueClaim()
        let credentials = try await Pairing.pair(code: claim.code.value, relay: stack.relayOrigin, deviceName: "warm test", store: store, logger: quiet)
        let clock = ManualClock()
        let player = PreparedRecorder()
        let (events, post) = AsyncStream<AppEvent>.makeStream()
        let runner = EffectRunner(store: store, playback: player, cache: CatalogCache(directory: URL(fileURLWithPath: dir + "/cache")),
                                  deviceName: "t", logger: quiet, post: post, prepared: PreparedItems(clock: ManagerClock(clock)))
        var state = AppState(rows: 30, columns: 120, paired: true, playbackAvailable: true)
        var iterator = events.makeAsyncIterator()
        var sent: [Effect] = []
        func run(_ effects: [Effect]) {
            sent += effects
            for effect in effects where effect != .quit { runner.run(effect, state: state) }
        }
        func pump(until done: (AppState) -> Bool) async {
            while !done(state), let event = await iterator.next() { run(state.reduce(event)) }
        }
        runner.open(selection: credentials.instanceID)
        await pump { !$0.catalog.movies.items.isEmpty }
        run(T.keys(&state, .character("2")))
        let movie = try #require(state.catalog.movies.items.first)
        run(state.reduce(.tick(Date())))
        run(state.reduce(.tick(Date())))
        await pump { $0.itemFiles[movie.id] != nil }
        run(state.reduce(.tick(Date())))
        #expect(Self.lookups(sent) == [movie.id], "one lookup for the pane")
        #expect(runner.prepared.fresh(movie.id, server: credentials.instanceID)?.reference.id == movie.id)

        run(T.keys(&state, .enter))
        await pump { $0.playback?.phase == .ended }
        #expect(player.starts.withLock { $0 } == [movie.id], "Enter started with the pane's lookup")
        #expect(Self.lookups(sent) == [movie.id], "and asked nothing more")

        clock.advance(by: .seconds(31))
        state.playback = nil
        run(T.keys(&state, .enter))
        await pump { $0.playback?.phase == .ended }
        #expect(player.starts.withLock { $0 } == [movie.id, nil], "an aged lookup is not used")
        await runner.shutdown(catalog: state.catalog)
        await stack.stop()
    }
}
