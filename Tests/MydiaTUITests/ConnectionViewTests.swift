import Foundation
@testable import MydiaConnection
import Testing
@testable import MydiaTUI

/// The status bar and the connection view, from connection snapshots built by hand.
@Suite struct ConnectionViewTests {
    init() { T.utf8() }

    static func snapshot(_ state: ConnectionState, path: PathKind?, at seconds: Int64 = 10, received: Int = 0) -> ConnectionSnapshot {
        var relay = PathStatistics()
        relay.isUp = true
        relay.roundTripTime = .milliseconds(42)
        relay.bytesReceived = received
        var direct = PathStatistics()
        direct.isUp = state == .direct
        direct.roundTripTime = .microseconds(3200)
        let url = URL(string: "https://192.168.1.5:8443")!
        return ConnectionSnapshot(
            state: state, activePath: path, directURL: state == .relay ? nil : url, relay: relay, direct: direct,
            candidates: [CandidateStatus(url: url, discovered: false, lastResult: state == .relay ? .transportError("connection refused") : .ok(rtt: .milliseconds(3)),
                                         lastProbedAt: .seconds(seconds - 3), heldOffUntil: nil)],
            nextProbeAt: state == .relay ? .seconds(seconds + 7) : nil, probeBackoffStep: 1, nextRelayAttemptAt: nil,
            transitions: [ConnectionTransition(from: .connecting, to: .relay, reason: "relay session open", at: .seconds(1), date: Date()),
                          ConnectionTransition(from: .relay, to: .dual, reason: "probe of 192.168.1.5 succeeded", at: .seconds(5), date: Date())],
            takenAt: .seconds(seconds))
    }

    @Test func relayIsNamedInWordsWithTheEncryptionMarkAndProbeTimes() throws {
        var state = try T.browsing()
        _ = state.reduce(.connection(Self.snapshot(.relay, path: .relay)))
        let bar = Renderer.frame(state).lines.last!
        #expect(bar.spans.first == Span(" RELAY ", .barRelay))
        #expect(bar.text.contains("relay 127.0.0.1:4000 · end-to-end encrypted"))
        #expect(bar.text.contains("rtt 42 ms") && bar.text.contains("probed 3 s ago") && bar.text.contains("next in 7 s"))
    }

    @Test func directAndDualShowTheirPathAndColour() throws {
        var state = try T.browsing()
        _ = state.reduce(.connection(Self.snapshot(.direct, path: .direct)))
        var bar = Renderer.frame(state).lines.last!
        #expect(bar.spans.first == Span(" DIRECT ", .barDirect))
        #expect(bar.text.contains("direct 192.168.1.5:8443") && bar.text.contains("rtt 3.2 ms") && !bar.text.contains("encrypted"))
        _ = state.reduce(.connection(Self.snapshot(.dual, path: .direct)))
        bar = Renderer.frame(state).lines.last!
        #expect(bar.spans.first == Span(" DUAL ", .barDual))
    }

    @Test func throughputComesFromSuccessiveSnapshots() throws {
        var state = try T.browsing()
        _ = state.reduce(.connection(Self.snapshot(.relay, path: .relay, at: 10, received: 1_000)))
        #expect(state.throughput == nil)
        _ = state.reduce(.connection(Self.snapshot(.relay, path: .relay, at: 12, received: 2_001_000)))
        #expect(state.throughput == 1_000_000)
        #expect(Renderer.frame(state).lines.last!.text.contains("↓ 1.0 MB/s"))
    }

    @Test func connectionViewListsProbesAndTheTimelineNewestFirst() throws {
        var state = try T.browsing(rows: 30, columns: 120)
        _ = state.reduce(.connection(Self.snapshot(.relay, path: .relay)))
        _ = T.keys(&state, .character("c"))
        let text = T.text(state)
        #expect(text.contains("State RELAY"))
        #expect(text.contains("https://192.168.1.5:8443  The direct URL") || text.contains("https://192.168.1.5:8443  "))
        let dual = try #require(text.range(of: "relay → dual"))
        let relay = try #require(text.range(of: "connecting → relay"))
        #expect(dual.lowerBound < relay.lowerBound)
        #expect(T.keys(&state, .character("r")) == [.probe])
        _ = T.keys(&state, .escape)
        #expect(state.overlay == nil)
    }
}
