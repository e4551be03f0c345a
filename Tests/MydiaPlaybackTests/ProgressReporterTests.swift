import Foundation
import Logging
@testable import MydiaPlayback
import Synchronization
import Testing

/// The progress queue as a state machine: order, never backwards, replay after an outage.
@Suite struct ProgressReporterTests {
    /// Refuses while `down` is set (an outage), records what it stored.
    final class FlakySink: ProgressSink {
        let down = Mutex(false)
        let stored = Mutex<[ProgressReport]>([])
        let watched = Mutex<[String]>([])

        func store(_ report: ProgressReport) async throws {
            if down.withLock({ $0 }) { throw CancellationError() }
            stored.withLock { $0.append(report) }
        }

        func markWatched(_ item: PlaybackItem.Reference) async throws { watched.withLock { $0.append(item.id) } }
    }

    let movie = PlaybackItem.Reference(kind: .movie, id: "m1")

    func reporter(_ sink: FlakySink) -> ProgressReporter {
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        return ProgressReporter(sink: sink, logger: quiet, retryDelays: [.milliseconds(20)])
    }

    @Test func reportsQueuedDuringAnOutageAreReplayedInOrderAfterIt() async throws {
        let sink = FlakySink()
        let reporter = reporter(sink)
        await reporter.record(.start, item: movie, position: 0, duration: 100)
        #expect(await reporter.flush(timeout: .seconds(5)))
        sink.down.withLock { $0 = true }
        await reporter.record(.periodic, item: movie, position: 10, duration: 100)
        await reporter.record(.pause, item: movie, position: 12, duration: 100)
        await reporter.record(.periodic, item: movie, position: 20, duration: 100)
        await reporter.record(.periodic, item: movie, position: 30, duration: 100)
        try await Task.sleep(for: .milliseconds(100))
        #expect(sink.stored.withLock { $0.count } == 1)
        #expect(await reporter.pending.count >= 3)
        sink.down.withLock { $0 = false }
        await reporter.record(.stop, item: movie, position: 31, duration: 100)
        #expect(await reporter.flush(timeout: .seconds(5)))
        let kinds = sink.stored.withLock { $0.map(\.kind) }
        #expect(kinds.first == .start && kinds.last == .stop && kinds.contains(.pause))
        let positions = sink.stored.withLock { $0.map(\.position) }
        #expect(positions == positions.sorted() && positions.last == 31)
        #expect(sink.stored.withLock { $0.map(\.observedAt) } == sink.stored.withLock { $0.map(\.observedAt).sorted() })
        #expect(sink.watched.withLock { $0 }.isEmpty)  // 31 % is not watched
    }

    @Test func positionsNeverMoveBackwardsExceptThroughASeek() async throws {
        let sink = FlakySink()
        let reporter = reporter(sink)
        await reporter.record(.start, item: movie, position: 50, duration: 100)
        await reporter.record(.periodic, item: movie, position: 40, duration: 100)  // a stale sample
        await reporter.record(.seek, item: movie, position: 10, duration: 100)      // the user went back
        await reporter.record(.stop, item: movie, position: 95, duration: 100)
        #expect(await reporter.flush(timeout: .seconds(5)))
        #expect(sink.stored.withLock { $0.map(\.position) } == [50, 50, 10, 95])
        #expect(sink.watched.withLock { $0 } == ["m1"])  // past 90 % at stop
    }
}
